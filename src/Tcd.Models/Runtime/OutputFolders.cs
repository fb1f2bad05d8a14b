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
    /// Deletes what <paramref name="folder"/> holds except the files of a <see cref="FolderLock"/> held on it, which the
    /// lock removes as it lets go (deleted now, the lock would be let go early), then <paramref name="folder"/> and its
    /// parents up to <paramref name="upTo"/> as <see cref="DeleteEmpty"/> does; a folder that does not exist is fine.
    /// </summary>
    public static void DeleteAllButLock(string folder, string upTo)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().Where(entry => !FolderLock.IsLockFile(entry.FullName)).ToList())
        {
            if (entry is DirectoryInfo { LinkTarget: null } subfolder)
            {
                subfolder.Delete(recursive: true);
            }
            else
            {
                // A file, or a link, which goes without what it points to.
                entry.Delete();
            }
        }

        DeleteEmpty(folder, upTo);
    }

    /// <summary>
    /// Deletes <paramref name="folder"/> when nothing is left in it, then each of its parents up to and including
    /// <paramref name="upTo"/> likewise, stopping at the first that holds something or cannot be deleted.
    /// </summary>
    /// <param name="folder">The innermost folder to delete.</param>
    /// <param name="upTo"><paramref name="folder"/> or one of its parents: the outermost folder to delete.</param>
    public static void DeleteEmpty(string folder, string upTo)
    {
        var outermost = Path.TrimEndingDirectorySeparator(Path.GetFullPath(upTo));
        for (var current = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)); current is not null; current = Path.GetDirectoryName(current))
        {
            try
            {
                if (Directory.Exists(current) && Directory.EnumerateFileSystemEntries(current).Any())
                {
                    return;
                }

                Directory.Delete(current);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Something was written into it meanwhile (another run's lock, say), or it is gone already.
                if (Directory.Exists(current))
                {
                    return;
                }
            }

            if (current.Length <= outermost.Length)
            {
                return;
            }
        }
    }

    /// <summary>The outermost folder of <paramref name="folder"/>'s path that does not exist yet (null when it exists).</summary>
    public static string? OutermostMissingFolder(string folder)
    {
        string? missing = null;
        for (var current = Path.GetFullPath(folder); current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing = current;
        }

        return missing;
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
