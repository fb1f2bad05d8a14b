namespace Tcd.Models.Tests.Data.Glue;

/// <summary>Locates the GLUE slices shipped in the repository's <c>data/glue</c> folder.</summary>
internal static class ShippedGlueData
{
    public static string Root { get; } = RepositoryFiles.Path(Path.Combine("data", "glue"));

    public static string PathOf(string taskDirectory, string split) => Path.Combine(Root, taskDirectory, split + ".tsv");
}
