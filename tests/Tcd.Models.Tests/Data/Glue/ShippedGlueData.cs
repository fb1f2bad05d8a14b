namespace Tcd.Models.Tests.Data.Glue;

/// <summary>Locates the GLUE slices shipped in the repository's <c>data/glue</c> folder.</summary>
internal static class ShippedGlueData
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string taskDirectory, string split) => Path.Combine(Root, taskDirectory, split + ".tsv");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "data", "glue");
            if (File.Exists(Path.Combine(candidate, "README.md")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No data/glue folder above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
