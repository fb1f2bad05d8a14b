using System.Text;

namespace Tcd.Reports;

/// <summary>Writes report files: creates the folder first and writes UTF-8 without a byte-order mark.</summary>
internal static class OutputFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteText(string path, string text)
    {
        EnsureFolder(path);
        File.WriteAllText(path, text, Utf8NoBom);
    }

    public static void WriteBytes(string path, byte[] bytes)
    {
        EnsureFolder(path);
        File.WriteAllBytes(path, bytes);
    }

    private static void EnsureFolder(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }
}
