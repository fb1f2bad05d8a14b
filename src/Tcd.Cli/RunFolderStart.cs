using Tcd.Cli.Commands;
using Tcd.Models.Runtime;
using Tcd.Models.Training;

namespace Tcd.Cli;

/// <summary>
/// The <c>--out</c> folder of a training command as it was before the run wrote to it, so that a run that saved nothing
/// (cancelled before its first step, or failed before its first checkpoint) can leave it so: "nothing was saved" holds
/// only when nothing it wrote is left, and a folder left behind would be taken for a run.
/// </summary>
internal sealed class RunFolderStart
{
    private readonly string folder;
    private readonly string configFile;
    private readonly string? createdFolder;
    private readonly string? previousConfig;

    private RunFolderStart(string folder)
    {
        this.folder = folder;
        configFile = Path.Combine(folder, PretrainCommand.EffectiveConfigFileName);
        createdFolder = OutputFolders.OutermostMissingFolder(folder);
        previousConfig = File.Exists(configFile) ? File.ReadAllText(configFile) : null;
    }

    /// <summary>Notes what <paramref name="folder"/> holds before a run writes to it.</summary>
    public static RunFolderStart Record(string folder) => new(folder);

    /// <summary>
    /// Removes what the run wrote: the folders it created (the outermost with all inside it, but for the run's
    /// <see cref="FolderLock"/>, which removes them when it lets go), or in a folder that existed, its
    /// <c>tcd-config.json</c>, restored to what it was when the folder had one.
    /// </summary>
    public void Undo()
    {
        if (createdFolder is not null)
        {
            OutputFolders.DeleteAllButLock(folder, createdFolder);
        }
        else if (previousConfig is not null)
        {
            CheckpointStore.ReplaceAtomically(configFile, previousConfig);
        }
        else
        {
            File.Delete(configFile);
        }
    }
}
