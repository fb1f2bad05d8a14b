using System.Security.Cryptography;

namespace Tcd.Cli.Tests;

/// <summary>What the files of a folder hold, to check that a refused or stopped command left them as they were.</summary>
internal static class FolderContents
{
    /// <summary>
    /// Each file directly in <paramref name="folder"/> by its path, with the SHA-256 of its bytes. A hash rather than the
    /// bytes: FluentAssertions' <c>BeEquivalentTo</c> compares byte arrays element by element through reflection, half a
    /// minute for the weights of a tiny model.
    /// </summary>
    public static Dictionary<string, string> Of(string folder) =>
        Directory.GetFiles(folder).ToDictionary(file => file, HashOf);

    /// <summary>The SHA-256 of the file's bytes, in hex.</summary>
    public static string HashOf(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
