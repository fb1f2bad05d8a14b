using Tcd.Models.Runtime;

namespace Tcd.Cli;

/// <summary>
/// The output of a command that writes it at the end (a chart, an imported or exported model), written whole into a
/// temporary folder beside it and moved into place by <see cref="Commit"/> only when the command has not been
/// cancelled: a command stopped or failing before that leaves no half-written output, and an output it was replacing as
/// it was. Disposing removes the temporary folder, and the folders made for it when nothing was committed.
/// </summary>
internal sealed class StagedOutput : IDisposable
{
    private const string TemporaryPrefix = ".tmp-";

    private readonly string targetFolder;
    private readonly IReadOnlyList<string> fileNames;
    private readonly string stagingFolder;
    private readonly string? createdFolder;
    private bool committed;

    private StagedOutput(string targetFolder, IReadOnlyList<string> fileNames, string stagingParent, string outputName, string? stagedFileName)
    {
        this.targetFolder = targetFolder;
        this.fileNames = fileNames;
        createdFolder = OutputFolders.OutermostMissingFolder(stagingParent);
        RemoveAbandoned(stagingParent, outputName);
        // Beside the output, on its volume, so that moving a file into place replaces it at once.
        stagingFolder = System.IO.Path.Combine(stagingParent, TemporaryPrefix + outputName + "-" + Guid.NewGuid().ToString("N"));
        OutputFolders.Create(stagingFolder, "temporary output folder");
        Path = stagedFileName is null ? stagingFolder : System.IO.Path.Combine(stagingFolder, stagedFileName);
    }

    /// <summary>
    /// Where the command writes the output: the file to write for <see cref="ForFile"/>, the folder to write the files
    /// into for <see cref="ForFolder"/>.
    /// </summary>
    public string Path { get; }

    /// <summary>Stages the file <paramref name="file"/>, which <see cref="Commit"/> creates or replaces.</summary>
    public static StagedOutput ForFile(string file)
    {
        var fullPath = System.IO.Path.GetFullPath(file);
        var folder = System.IO.Path.GetDirectoryName(fullPath)!;
        var name = System.IO.Path.GetFileName(fullPath);
        return new StagedOutput(folder, [name], folder, name, stagedFileName: name);
    }

    /// <summary>
    /// Writes the file <paramref name="file"/> of work that is finished (a run's chart): <paramref name="draw"/> writes
    /// the path it is given, which is moved into place when complete, so a process stopped or failing while it draws
    /// leaves the previous file (or none), never a truncated one. A stop does not cancel it: the work it shows is done.
    /// Returns false, writing nothing, when <paramref name="draw"/> returns false (nothing to draw).
    /// </summary>
    public static bool WriteFinished(string file, Func<string, bool> draw)
    {
        ArgumentNullException.ThrowIfNull(draw);
        using var staged = ForFile(file);
        if (!draw(staged.Path))
        {
            return false;
        }

        staged.Commit(CancellationToken.None);
        return true;
    }

    /// <summary>
    /// Stages the files <paramref name="fileNames"/> of the folder <paramref name="folder"/>: <see cref="Commit"/> moves
    /// each one written into the folder, in this order (the first can mark the folder as this command's, so that an
    /// output killed while it is moved in can be written again), and deletes from it each one not written, so that none
    /// of an earlier output's is left beside the new one; the folder's other files are left alone.
    /// </summary>
    public static StagedOutput ForFolder(string folder, IReadOnlyList<string> fileNames)
    {
        var fullPath = System.IO.Path.GetFullPath(folder);
        return new StagedOutput(fullPath, fileNames, System.IO.Path.GetDirectoryName(fullPath) ?? fullPath, System.IO.Path.GetFileName(fullPath), stagedFileName: null);
    }

    /// <summary>
    /// Moves the written output into place, unless <paramref name="cancellationToken"/> has asked the command to stop:
    /// then it throws <see cref="OperationCanceledException"/>, and the output is as it was.
    /// </summary>
    /// <exception cref="InvalidOperationException">A file was written that is not one of those staged, which no later output would replace.</exception>
    public void Commit(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var unnamed = Directory.EnumerateFileSystemEntries(stagingFolder).Select(System.IO.Path.GetFileName).Except(fileNames).ToList();
        if (unnamed.Count > 0)
        {
            throw new InvalidOperationException($"The output has files it does not name ({string.Join(", ", unnamed)}); add them to its file names.");
        }

        OutputFolders.Create(targetFolder, "output folder");
        foreach (var name in fileNames)
        {
            var written = System.IO.Path.Combine(stagingFolder, name);
            var target = System.IO.Path.Combine(targetFolder, name);
            if (File.Exists(written))
            {
                File.Move(written, target, overwrite: true);
            }
            else
            {
                File.Delete(target);
            }
        }

        committed = true;
    }

    /// <summary>
    /// Removes the temporary folders of this output that a killed process left (one stopped by Ctrl+C removes its own),
    /// which would otherwise lie beside it for good.
    /// </summary>
    private static void RemoveAbandoned(string stagingParent, string outputName)
    {
        if (!Directory.Exists(stagingParent))
        {
            return;
        }

        var pattern = TemporaryPrefix + outputName + "-" + new string('?', 32);
        foreach (var abandoned in Directory.EnumerateDirectories(stagingParent, pattern))
        {
            OutputFolders.Delete(abandoned);
        }
    }

    /// <summary>Removes the temporary folder, and when nothing was committed the folders made for it.</summary>
    public void Dispose() => OutputFolders.Delete(committed || createdFolder is null ? stagingFolder : createdFolder);
}
