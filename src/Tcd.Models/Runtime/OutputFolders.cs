namespace Tcd.Models.Runtime;

/// <summary>
/// Creates the folders a run writes to, with errors that say which path is in the way instead of .NET's
/// "Could not find a part of the path" or "The file ... already exists", and deletes those it no longer needs.
/// </summary>
public static class OutputFolders
{
    /// <summary>Creates <paramref name="folder"/> and its missing parents.</summary>
    /// <param name="folder">The folder to create; an existing folder is fine.</param>
    /// <param name="purpose">What the folder is for, as the error names it, e.g. "checkpoint folder".</param>
    /// <exception cref="IOException">The folder or one of its parents is a file, or it cannot be created (the message says why).</exception>
    public static void Create(string folder, string purpose)
    {
        var fullPath = Check(folder, purpose);
        try
        {
            Directory.CreateDirectory(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot create the {purpose} '{fullPath}': {ex.Message}", ex);
        }
    }

    /// <summary>Deletes <paramref name="folder"/> and everything in it; a folder that does not exist is fine.</summary>
    public static void Delete(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Checks that <paramref name="folder"/> could be created (no file stands at it or at a parent) without creating
    /// anything, so that a run can refuse a bad path before its work and still leave no folder behind when it fails
    /// before writing. Returns the full path.
    /// </summary>
    /// <inheritdoc cref="Create" path="/param"/>
    /// <exception cref="IOException">The folder or one of its parents is a file.</exception>
    public static string Check(string folder, string purpose)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        var fullPath = Path.GetFullPath(folder);
        if (File.Exists(fullPath))
        {
            throw new IOException($"The {purpose} '{fullPath}' is a file; give a folder (it is created if missing).");
        }

        for (var parent = Path.GetDirectoryName(fullPath); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
            {
                throw new IOException($"Cannot create the {purpose} '{fullPath}': '{parent}' is a file, not a folder.");
            }

            if (Directory.Exists(parent))
            {
                break;
            }
        }

        return fullPath;
    }
}
