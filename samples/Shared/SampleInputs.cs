using Tcd.Models.Data.Glue;

namespace Tcd.Samples;

/// <summary>Checks of a sample's inputs made before any work, so that a wrong path fails at once, not after pre-training.</summary>
internal static class SampleInputs
{
    /// <summary>Throws when <paramref name="glueDirectory"/> lacks a file fine-tuning on <paramref name="task"/> reads.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist; the message names <c>--glue</c>.</exception>
    /// <exception cref="FileNotFoundException">
    /// A train or dev file is missing; the message names each one, or the GLUE root when the folder is a task's own.
    /// </exception>
    public static void RequireGlueFiles(string glueDirectory, GlueTask task)
    {
        const string layout = "the original GLUE layout: <Task>/train.tsv and its dev split";
        if (!Directory.Exists(glueDirectory))
        {
            throw new DirectoryNotFoundException($"--glue '{glueDirectory}' does not exist; give a folder in {layout}.");
        }

        if (new GlueReader(glueDirectory).MissingFineTuningFiles([task]) is [_, ..] missing)
        {
            // A task's own folder (glue/SST-2) is an easy mistake for the root that holds the task folders.
            var folder = Path.GetFullPath(glueDirectory).TrimEnd(Path.DirectorySeparatorChar);
            if (GlueTask.TryFromName(Path.GetFileName(folder), out var named))
            {
                throw new FileNotFoundException(
                    $"--glue '{glueDirectory}' is the folder of the task {named.Name}; give the GLUE root that holds the task folders, '{Path.GetDirectoryName(folder)}'.");
            }

            throw new FileNotFoundException($"--glue '{glueDirectory}' lacks {string.Join(", ", missing)} ({layout}).");
        }
    }
}
