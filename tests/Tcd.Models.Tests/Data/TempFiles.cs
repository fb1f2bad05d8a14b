namespace Tcd.Models.Tests.Data;

/// <summary>A temporary folder for test files, deleted on dispose.</summary>
internal sealed class TempFiles : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tcd-data-tests-").FullName;

    public string Write(string name, string content)
    {
        return WriteBytes(name, System.Text.Encoding.UTF8.GetBytes(content));
    }

    public string WriteBytes(string name, byte[] content)
    {
        var path = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    public string PathOf(string name) => Path.Combine(_root, name);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
