namespace Tcd.Models.Tests.Data;

/// <summary>Finds files of the repository (e.g. data/corpus) from the test output folder.</summary>
internal static class RepositoryFiles
{
    public static string Path(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Tcd.MLNet.sln")))
            {
                return System.IO.Path.Combine(directory.FullName, relativePath);
            }
        }

        throw new InvalidOperationException($"Tcd.MLNet.sln not found above {AppContext.BaseDirectory}.");
    }
}
