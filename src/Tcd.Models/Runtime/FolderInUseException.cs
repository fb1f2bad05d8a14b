using System.Globalization;

namespace Tcd.Models.Runtime;

/// <summary>
/// Thrown when a run's folder is locked by another run (<see cref="FolderLock"/>): in another process, or in this one.
/// An <see cref="IOException"/>, as the folder's being in use is a state of the file system, not of the caller's
/// arguments; its message names the folder, the run holding it when known, and what to do.
/// </summary>
public sealed class FolderInUseException : IOException
{
    /// <summary>Creates the exception for <paramref name="folder"/>, held by <paramref name="holder"/> when known.</summary>
    /// <param name="folder">The locked folder (full path).</param>
    /// <param name="purpose">What the folder is for, e.g. "checkpoint folder".</param>
    /// <param name="holder">The run holding the lock, or null when it has not recorded itself yet.</param>
    /// <param name="remedy">What the user can do, e.g. "give another --out".</param>
    /// <param name="inner">The sharing violation the lock file was opened with.</param>
    public FolderInUseException(string folder, string purpose, FolderLockHolder? holder, string remedy, Exception? inner = null)
        : base(Describe(folder, purpose, holder, remedy), inner)
    {
        Folder = folder;
        Holder = holder;
    }

    /// <summary>The locked folder (full path).</summary>
    public string Folder { get; }

    /// <summary>The run holding the lock, or null when it had not recorded itself yet.</summary>
    public FolderLockHolder? Holder { get; }

    private static string Describe(string folder, string purpose, FolderLockHolder? holder, string remedy)
    {
        var who = holder is null ? "Another run"
            : holder.ProcessId == Environment.ProcessId ? "Another run in this process"
            : string.Create(CultureInfo.InvariantCulture,
                $"Another process (pid {holder.ProcessId}{(string.IsNullOrWhiteSpace(holder.CommandLine) ? string.Empty : ": " + holder.CommandLine)}, since {holder.Since:yyyy-MM-dd HH:mm:ss} UTC)");
        return $"{who} is using the {purpose} '{folder}'; wait for it to finish, or {remedy}.";
    }
}
