using System.Text.Json;
using Tcd.Models.Training;

namespace Tcd.Models.Runtime;

/// <summary>
/// An exclusive lock on a run's folder for the life of the run, so that a second run given the same folder (a second
/// terminal, a re-run while the first still runs, two ML.NET <c>Fit</c>s in parallel) fails at once with an error
/// naming the first, instead of the two writing, pruning and resuming from each other's checkpoints.
/// </summary>
/// <remarks>
/// <para>
/// The lock is the file <see cref="LockFileName"/> in the folder, opened with <see cref="FileShare.None"/>: on Linux and
/// macOS .NET takes an advisory <c>flock</c> on it, which the operating system drops when the process ends however it
/// ends, so a killed run leaves no stale lock; on Windows the sharing mode itself excludes. A second lock on the folder
/// fails in another process and in this one alike. Only runs that lock agree on it: it stops nothing else from writing
/// to the folder, and .NET takes no <c>flock</c> at all when <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> is set.
/// </para>
/// <para>
/// While a file is locked so, .NET cannot open it even to read, so the holder records itself in a second file,
/// <see cref="HolderFileName"/>, for a second run's error to name. Both files are removed on <see cref="Dispose"/>, and
/// so are the folders <see cref="Acquire"/> created when nothing else is left in them, so a run that wrote nothing
/// leaves nothing behind.
/// </para>
/// </remarks>
public sealed class FolderLock : IDisposable
{
    /// <summary>The name of the lock file in a locked folder.</summary>
    public const string LockFileName = ".lock";

    /// <summary>The name of the file in a locked folder in which the holder records itself (<see cref="FolderLockHolder"/>).</summary>
    public const string HolderFileName = ".lock-holder";

    // A run that opens the lock file just as its holder removes it locks a file no longer in the folder; it then opens
    // the folder's new one. More than a few such turns in a row means something else keeps deleting it.
    private const int Attempts = 5;

    private readonly FileStream lockFile;
    private readonly string? removeWhenEmptyUpTo;
    private bool disposed;

    private FolderLock(string folder, FileStream lockFile, string? removeWhenEmptyUpTo)
    {
        Folder = folder;
        this.lockFile = lockFile;
        this.removeWhenEmptyUpTo = removeWhenEmptyUpTo;
    }

    /// <summary>The locked folder (full path).</summary>
    public string Folder { get; }

    /// <summary>
    /// Locks <paramref name="folder"/>, creating it (and its missing parents) when missing, and records this process as
    /// its holder.
    /// </summary>
    /// <param name="folder">The run's folder.</param>
    /// <param name="purpose">What the folder is for, as errors name it, e.g. "checkpoint folder".</param>
    /// <param name="remedy">What a user whose run finds the folder locked can do besides waiting, e.g. "give another --out".</param>
    /// <param name="removeWhenEmpty">
    /// Whether <see cref="Dispose"/> removes the folder when nothing is left in it even if it existed before (a checkpoint
    /// folder, which is no checkpoint folder once its checkpoints are deleted). The folders <see cref="Acquire"/> created
    /// are removed when empty in any case. Default false.
    /// </param>
    /// <exception cref="FolderInUseException">Another run, in this process or another, holds the folder's lock.</exception>
    /// <exception cref="IOException">The folder cannot be created (the message says why).</exception>
    public static FolderLock Acquire(string folder, string purpose, string remedy, bool removeWhenEmpty = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(remedy);
        var fullPath = Path.TrimEndingDirectorySeparator(OutputFolders.Check(folder, purpose));
        var created = OutputFolders.OutermostMissingFolder(fullPath);
        var lockPath = Path.Combine(fullPath, LockFileName);
        for (var attempt = 1; ; attempt++)
        {
            OutputFolders.Create(fullPath, purpose);
            FileStream stream;
            try
            {
                // On Windows the file goes with the handle. Elsewhere DeleteOnClose would delete it by name even when
                // the check below lets go of a removed file, whose name may by then be another run's lock: Dispose does.
                stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1,
                    OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
            }
            catch (DirectoryNotFoundException) when (attempt < Attempts)
            {
                // The previous holder removed the folder it had created as it let go; this run makes it anew.
                continue;
            }
            catch (IOException ex) when (IsSharingViolation(ex))
            {
                throw new FolderInUseException(fullPath, purpose, ReadHolder(fullPath), remedy, ex);
            }

            if (!File.Exists(lockPath) && attempt < Attempts)
            {
                // Locked after its holder had removed it: this file is no longer the folder's lock.
                stream.Dispose();
                continue;
            }

            var folderLock = new FolderLock(fullPath, stream, removeWhenEmpty ? created ?? fullPath : created);
            folderLock.RecordHolder();
            return folderLock;
        }
    }

    /// <summary>Whether <paramref name="path"/> names one of the files a <see cref="FolderLock"/> keeps in its folder.</summary>
    public static bool IsLockFile(string path) => Path.GetFileName(path) is LockFileName or HolderFileName;

    /// <summary>
    /// The run holding <paramref name="folder"/>'s lock as it recorded itself, or null when it has not (yet) or the
    /// folder is not locked.
    /// </summary>
    public static FolderLockHolder? ReadHolder(string folder)
    {
        try
        {
            return JsonSerializer.Deserialize<FolderLockHolder>(File.ReadAllText(Path.Combine(folder, HolderFileName)), TcdJson.Compact);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // Not written yet, removed as the holder let go, or half written: the error then names no process.
            return null;
        }
    }

    /// <summary>
    /// Removes the holder's record and the lock file and lets go of the lock, then removes the folders
    /// <see cref="Acquire"/> created (or, with <c>removeWhenEmpty</c>, the folder) when nothing else is left in them.
    /// </summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        TryDeleteFile(Path.Combine(Folder, HolderFileName));
        if (!OperatingSystem.IsWindows())
        {
            // Before the lock is let go: removed after, it could be another run's lock file by then.
            TryDeleteFile(Path.Combine(Folder, LockFileName));
        }

        lockFile.Dispose();
        if (removeWhenEmptyUpTo is not null)
        {
            OutputFolders.DeleteEmpty(Folder, removeWhenEmptyUpTo);
        }
    }

    private void RecordHolder()
    {
        // The program by its name (Tcd.Cli, Tcd.Quickstart, ...), not the full path of its assembly, which would bury the arguments.
        var arguments = Environment.GetCommandLineArgs();
        var commandLine = string.Join(' ', arguments.Skip(1).Prepend(Path.GetFileNameWithoutExtension(arguments.FirstOrDefault() ?? string.Empty)));
        var holder = new FolderLockHolder(Environment.ProcessId, DateTime.UtcNow, commandLine.Trim());
        try
        {
            CheckpointStore.ReplaceAtomically(Path.Combine(Folder, HolderFileName), JsonSerializer.Serialize(holder, TcdJson.Compact));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The lock holds without it; a second run's error then names no process.
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A lock file left behind is harmless: the next run opens and locks it again.
        }
    }

    /// <summary>
    /// Whether opening the lock file failed because another handle holds it: EWOULDBLOCK from <c>flock</c> on Linux (11)
    /// and macOS (35), which .NET reports as the raw error number, or ERROR_SHARING_VIOLATION on Windows.
    /// </summary>
    private static bool IsSharingViolation(IOException ex) =>
        ex.GetType() == typeof(IOException)
        && (OperatingSystem.IsWindows() ? ex.HResult == unchecked((int)0x80070020)
            : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? ex.HResult == 35
            : ex.HResult == 11);
}
