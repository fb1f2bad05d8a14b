namespace Tcd.Testing;

/// <summary>Files of the repository checkout the tests run from (data/, docs/, samples/), found from the test output folder.</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder of <c>Tcd.MLNet.sln</c> above the tests' output folder.</summary>
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Tcd.MLNet.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Tcd.MLNet.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }

    /// <summary>The path of <paramref name="relativePath"/> (e.g. <c>data/corpus</c>) in the repository.</summary>
    public static string Path(string relativePath) => System.IO.Path.Combine(Root(), relativePath);
}
