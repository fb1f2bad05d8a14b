namespace Tcd.Models.Tests.Data.Glue;

/// <summary>A throw-away GLUE root for inline TSV fixtures in the official layout; deleted on dispose.</summary>
internal sealed class TempGlueDirectory : IDisposable
{
    public TempGlueDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "tcd-glue-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>
    /// Writes <paramref name="content"/> verbatim to <c>Root/taskDirectory/split.tsv</c>, in <paramref name="encoding"/>
    /// with its byte-order mark if it has one (default UTF-8, no BOM).
    /// </summary>
    public string Write(string taskDirectory, string split, string content, System.Text.Encoding? encoding = null)
    {
        var directory = Path.Combine(Root, taskDirectory);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, split + ".tsv");
        File.WriteAllText(path, content, encoding ?? new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
