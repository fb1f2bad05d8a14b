namespace Tcd.Cli.Tests;

/// <summary>A fresh folder under the system temp folder, deleted with its contents on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("tcd-cli-").FullName;

    public string Path { get; }

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes <paramref name="text"/> to a file in the folder (creating sub-folders) and returns its path.</summary>
    public string Write(string relativePath, string text)
    {
        var path = File(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
