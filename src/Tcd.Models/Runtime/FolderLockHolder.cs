namespace Tcd.Models.Runtime;

/// <summary>The run that holds a <see cref="FolderLock"/>, as it recorded itself for the error a second run gets.</summary>
/// <param name="ProcessId">Its process id.</param>
/// <param name="Since">When it took the lock (UTC).</param>
/// <param name="CommandLine">Its process's command line; empty when unknown.</param>
public sealed record FolderLockHolder(int ProcessId, DateTime Since, string CommandLine);
