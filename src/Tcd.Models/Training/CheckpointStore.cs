using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Tcd.Models.Runtime;

namespace Tcd.Models.Training;

/// <summary>
/// A folder of step checkpoints (<c>step-00000100/</c>, ...) written atomically: each checkpoint is written into a
/// hidden temporary folder and renamed into place only when complete, and <c>latest.json</c> is replaced by an
/// atomic file rename. A folder is deleted (or replaced) by renaming it to a hidden temporary name first, so that its
/// files are removed only once it no longer looks like a checkpoint. A process killed during a save or a deletion
/// therefore leaves the previous checkpoint intact and at worst a hidden temporary folder, which the next save removes,
/// and <see cref="FindLatest"/> never returns a half-written or half-deleted one. A save that fails (throws) puts a
/// folder it was replacing back under its name, and a process killed between renaming that folder aside and moving its
/// replacement in leaves it under a hidden name that records its own, which the store's next read, listing or save
/// renames back.
/// </summary>
public sealed class CheckpointStore
{
    private const string LatestFileName = "latest.json";
    private const string StepPrefix = "step-";
    private const string TemporaryPrefix = ".tmp-";
    private const string ReplacedPrefix = TemporaryPrefix + "replaced-";
    private const string Purpose = "checkpoint folder";

    /// <summary>Opens a checkpoint folder; it is created by the first <see cref="Save"/>, so a run that fails before saving leaves none.</summary>
    /// <param name="root">The folder that holds the checkpoints.</param>
    /// <param name="keepLast">How many complete checkpoints to keep; older ones are deleted after a save.</param>
    /// <exception cref="IOException"><paramref name="root"/> or a parent of it is a file.</exception>
    public CheckpointStore(string root, int keepLast = 2)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keepLast);
        Root = Path.GetFullPath(root);
        KeepLast = keepLast;
        OutputFolders.Check(Root, Purpose);
    }

    /// <summary>The folder that holds the checkpoints.</summary>
    public string Root { get; }

    /// <summary>How many complete checkpoints are kept.</summary>
    public int KeepLast { get; }

    /// <summary>
    /// Locks the checkpoint folder for the life of a run (<see cref="FolderLock"/>), so that a second run given the same
    /// folder, in this process or another, fails at once instead of writing, pruning and resuming from this run's
    /// checkpoints. The run that trains (<see cref="Pretrainer.Run"/>, <see cref="FineTuner.Train"/>) takes it, as it
    /// alone knows when the run starts and ends; the store's reads (a resume announced before the run) do not. The folder
    /// is removed on release when nothing else is left in it, as <see cref="DeleteAll"/> would have.
    /// </summary>
    /// <exception cref="FolderInUseException">Another run holds the folder.</exception>
    /// <exception cref="IOException">The folder cannot be created (the message says why).</exception>
    public FolderLock Lock() => FolderLock.Acquire(Root, Purpose, "give this run another checkpoint folder", removeWhenEmpty: true);

    /// <summary>
    /// Deletes a folder that has already been renamed to a temporary name, and everything in it. Tests replace it to stop a
    /// deletion midway, as a process killed while it deletes the files would.
    /// </summary>
    internal Action<string> DeleteRetiredFolder { get; init; } = folder => Directory.Delete(folder, recursive: true);

    /// <summary>
    /// Renames a complete temporary folder to its checkpoint name (source, destination). Tests replace it to make the
    /// rename fail after the folder it replaces has been renamed away.
    /// </summary>
    internal Action<string, string> PublishFolder { get; init; } = Directory.Move;

    /// <summary>
    /// Writes a checkpoint for <paramref name="step"/>: <paramref name="writeFiles"/> fills a temporary folder,
    /// which is then published atomically. Checkpoints of later steps are then deleted: they belong to a run that was
    /// started over in this folder, and kept they would be taken for the newest. Returns the checkpoint's folder.
    /// </summary>
    /// <exception cref="IOException">The checkpoint folder cannot be created (the message says why).</exception>
    public string Save(long step, Action<string> writeFiles)
    {
        ArgumentNullException.ThrowIfNull(writeFiles);
        var final = SaveFolder(StepFolderName(step), writeFiles);
        ReplaceAtomically(Path.Combine(Root, LatestFileName), JsonSerializer.Serialize(new LatestPointer(StepFolderName(step), step), TcdJson.Compact));
        DeleteOldCheckpoints(StepFolderName(step));
        return final;
    }

    /// <summary>
    /// Writes a folder of the checkpoint root other than a step checkpoint (e.g. the weights of a fine-tuning run's best
    /// epoch, which its later checkpoints refer to) with the same guarantee: <paramref name="writeFiles"/> fills a
    /// temporary folder, which replaces <c>Root/name</c> only when complete; when the replacement fails, the folder it
    /// was replacing is renamed back. Returns the folder.
    /// </summary>
    /// <exception cref="IOException">The checkpoint folder cannot be created (the message says why).</exception>
    internal string SaveFolder(string name, Action<string> writeFiles)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(writeFiles);
        OutputFolders.Create(Root, Purpose);
        RestoreInterruptedReplacements();
        var final = Path.Combine(Root, name);
        var temporary = Path.Combine(Root, TemporaryPrefix + name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temporary);
        try
        {
            writeFiles(temporary);
            // Renamed away rather than deleted in place: a process killed while it deleted the files would leave a
            // half-deleted folder under the name of a complete one (the name latest.json may point to).
            var replaced = Directory.Exists(final) ? RetireForReplacement(final) : null;
            try
            {
                PublishFolder(temporary, final);
            }
            catch when (replaced is not null)
            {
                // Left under its temporary name, the folder being replaced would be removed by the next save.
                TryRestore(replaced, final);
                throw;
            }

            if (replaced is not null)
            {
                // Renamed once more before its files go, so that a stop midway leaves nothing to rename back.
                TryDelete(replaced);
            }
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        return final;
    }

    /// <summary>
    /// Runs <paramref name="read"/> over <paramref name="checkpoint"/>, which names each file through the callback it
    /// is given before reading it. A file that is missing, truncated, damaged or of another model becomes a
    /// <see cref="CheckpointLoadException"/> naming that file and the previous complete checkpoint.
    /// </summary>
    internal T Read<T>(string checkpoint, Func<Action<string>, T> read)
    {
        RestoreInterruptedReplacements();
        var file = "the checkpoint folder";
        try
        {
            return read(name => file = name);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or JsonException or ExternalException)
        {
            // IOException covers a truncated file (EndOfStreamException) and a model of another shape
            // (StateDictMismatchException); damaged safetensors are InvalidDataException (not an IOException), and
            // libtorch reports a damaged tensor as ExternalException.
            throw new CheckpointLoadException(checkpoint, FindPrevious(checkpoint), file, ex);
        }
    }

    /// <summary>The newest complete checkpoint's folder, or null when there is none.</summary>
    public string? FindLatest()
    {
        RestoreInterruptedReplacements();
        if (ReadPointer() is { } pointer && Directory.Exists(Path.Combine(Root, pointer.Folder)))
        {
            return Path.Combine(Root, pointer.Folder);
        }

        // The pointer is written last; without it (or with a damaged one), the newest published step folder is still complete.
        return CompleteCheckpoints().LastOrDefault();
    }

    /// <summary>The newest complete checkpoint's folder and its step (<see cref="StepOf"/>), or null when there is none.</summary>
    public (string Path, long Step)? FindLatestWithStep() => FindLatest() is { } latest ? (latest, StepOf(latest)) : null;

    /// <summary>The newest complete checkpoint older than <paramref name="checkpoint"/>, or null when there is none.</summary>
    public string? FindPrevious(string checkpoint)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpoint));
        return CompleteCheckpoints().LastOrDefault(folder => string.CompareOrdinal(Path.GetFileName(folder), name) < 0);
    }

    /// <summary>The step a checkpoint folder of this store holds, read from its name (<c>step-00000100</c> → 100).</summary>
    /// <exception cref="ArgumentException">The folder is not named like a checkpoint.</exception>
    public static long StepOf(string checkpoint)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpoint));
        return name.StartsWith(StepPrefix, StringComparison.Ordinal)
               && long.TryParse(name.AsSpan(StepPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            ? step
            : throw new ArgumentException($"'{checkpoint}' is not a checkpoint folder ({StepPrefix}NNNNNNNN).", nameof(checkpoint));
    }

    /// <summary>
    /// Writes <paramref name="contents"/> (UTF-8, no byte-order mark) to <paramref name="path"/> via a temporary file
    /// and an atomic rename, so a reader (or a rerun after an interruption) sees the old file or the whole new one; a
    /// write that fails leaves no temporary file behind. The file's folder is created when missing.
    /// </summary>
    public static void ReplaceAtomically(string path, string contents)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + TemporaryPrefix + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllText(temporary, contents);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private LatestPointer? ReadPointer()
    {
        var pointerPath = Path.Combine(Root, LatestFileName);
        try
        {
            return File.Exists(pointerPath) ? JsonSerializer.Deserialize<LatestPointer>(File.ReadAllText(pointerPath), TcdJson.Compact) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string StepFolderName(long step) => StepPrefix + step.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>
    /// Deletes every checkpoint, the pointer to the newest and abandoned temporary folders, then the folders of
    /// <see cref="SaveFolder"/> whose names start with <paramref name="savedFolderPrefix"/> (after the checkpoints that
    /// refer to them, so that a process stopped midway leaves no checkpoint missing its folder), then the folder itself
    /// when nothing else is left in it. What cannot be deleted now (a file held open) is left.
    /// </summary>
    internal void DeleteAll(string? savedFolderPrefix = null)
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        var saved = savedFolderPrefix is null ? [] : Directory.EnumerateDirectories(Root, savedFolderPrefix + "*");
        foreach (var folder in CompleteCheckpoints().Concat(Directory.EnumerateDirectories(Root, TemporaryPrefix + "*")).ToList().Concat(saved.ToList()))
        {
            TryDelete(folder);
        }

        try
        {
            DeleteAbandonedPointerFiles();
            File.Delete(Path.Combine(Root, LatestFileName));
            if (!Directory.EnumerateFileSystemEntries(Root).Any())
            {
                Directory.Delete(Root);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next run in this folder, which replaces or removes it.
        }
    }

    /// <summary>The complete step checkpoints, oldest first.</summary>
    internal IEnumerable<string> CompleteCheckpoints()
    {
        RestoreInterruptedReplacements();
        return Directory.Exists(Root) ? Directory.EnumerateDirectories(Root, StepPrefix + "*").Order(StringComparer.Ordinal) : [];
    }

    private void DeleteOldCheckpoints(string newest)
    {
        foreach (var abandoned in CompleteCheckpoints().Where(folder => string.CompareOrdinal(Path.GetFileName(folder), newest) > 0))
        {
            TryDelete(abandoned);
        }

        var complete = CompleteCheckpoints().ToList();
        foreach (var old in complete.Take(Math.Max(0, complete.Count - KeepLast)))
        {
            TryDelete(old);
        }

        foreach (var abandoned in Directory.EnumerateDirectories(Root, TemporaryPrefix + "*"))
        {
            TryDelete(abandoned);
        }

        try
        {
            DeleteAbandonedPointerFiles();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next save.
        }
    }

    /// <summary>
    /// Deletes the temporary files of <see cref="ReplaceAtomically"/> that a process killed before renaming them into
    /// <c>latest.json</c> left; kept, they would keep <see cref="DeleteAll"/> from removing the folder.
    /// </summary>
    private void DeleteAbandonedPointerFiles()
    {
        foreach (var abandoned in Directory.EnumerateFiles(Root, LatestFileName + TemporaryPrefix + "*").ToList())
        {
            File.Delete(abandoned);
        }
    }

    /// <summary>
    /// Deletes a folder of the checkpoint root. It is first renamed to a temporary name, so that a process stopped while
    /// the files are deleted leaves no checkpoint with files missing, only an abandoned temporary folder, which the next
    /// save removes; one that cannot be removed now is left for the next save as well.
    /// </summary>
    internal void TryDelete(string folder)
    {
        try
        {
            Discard(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A folder that cannot be renamed now is removed after the next save.
        }
    }

    /// <summary>
    /// Deletes a folder of the checkpoint root as <see cref="TryDelete"/> does, but fails when it cannot take the folder
    /// out of the checkpoints (rename it): for a caller that must not find it again.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be renamed (the message says why).</exception>
    internal void Discard(string folder)
    {
        try
        {
            TryDeleteRetired(Retire(folder));
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IOException($"Cannot delete the checkpoint folder '{folder}': {ex.Message}", ex);
        }
    }

    /// <summary>Renames a folder of the checkpoint root to a temporary name, which no reader takes for a checkpoint; returns that name.</summary>
    private static string Retire(string folder) => MoveAside(folder, TemporaryPrefix + "deleted-" + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Renames a folder of the checkpoint root that a new one is about to replace to a temporary name that records its
    /// own (<c>.tmp-replaced-GUID-name</c>), so that <see cref="RestoreInterruptedReplacements"/> can put it back when the
    /// process is killed before the new one is in place; returns that name.
    /// </summary>
    private static string RetireForReplacement(string folder) =>
        MoveAside(folder, ReplacedPrefix + Guid.NewGuid().ToString("N") + "-" + Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)));

    private static string MoveAside(string folder, string temporaryName)
    {
        var retired = Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(folder))!, temporaryName);
        Directory.Move(folder, retired);
        return retired;
    }

    /// <summary>
    /// Renames each folder of <see cref="RetireForReplacement"/> back to its name when nothing is there (a process was
    /// killed between renaming it aside and moving its replacement in, so it is the newest complete copy), and deletes it
    /// when its replacement is in place (a process was killed before it deleted it). Its files are never deleted
    /// under that name (see <see cref="SaveFolder"/>), so one renamed back is complete. One that cannot be renamed now is
    /// left for the next call.
    /// </summary>
    private void RestoreInterruptedReplacements()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        foreach (var retired in Directory.EnumerateDirectories(Root, ReplacedPrefix + "*").ToList())
        {
            // A name that records none is some other abandoned temporary folder, which the next save removes.
            if (ReplacedFolderName(Path.GetFileName(retired)) is not { } name)
            {
                continue;
            }

            var folder = Path.Combine(Root, name);
            if (Directory.Exists(folder))
            {
                TryDelete(retired);
            }
            else
            {
                TryRestore(retired, folder);
            }
        }
    }

    /// <summary>The name a folder of <see cref="RetireForReplacement"/> had (<c>.tmp-replaced-GUID-name</c> → name), or null for another name.</summary>
    private static string? ReplacedFolderName(string retiredName)
    {
        var nameStart = ReplacedPrefix.Length + Guid.Empty.ToString("N").Length + 1;
        return retiredName.Length > nameStart && retiredName[nameStart - 1] == '-' ? retiredName[nameStart..] : null;
    }

    /// <summary>
    /// Renames a folder retired by <see cref="RetireForReplacement"/> back to <paramref name="folder"/>, where its
    /// replacement is not. One that cannot be renamed back now stays retired, so that the failure of a save that could
    /// not put its replacement there is the one reported; <see cref="RestoreInterruptedReplacements"/> tries again.
    /// </summary>
    private static void TryRestore(string retired, string folder)
    {
        try
        {
            Directory.Move(retired, folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The failure that made the save fail says more than this one, and the store's next read renames it back.
        }
    }

    private void TryDeleteRetired(string retired)
    {
        try
        {
            DeleteRetiredFolder(retired);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Under its temporary name it is no checkpoint; the next save removes it.
        }
    }

    private sealed record LatestPointer(string Folder, long Step);
}
