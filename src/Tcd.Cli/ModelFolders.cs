using Tcd.Experiments;
using Tcd.Models.Data;
using Tcd.Models.Modeling;

namespace Tcd.Cli;

/// <summary>Finds the saved model of a path that names a model folder or a run folder of <c>tcd pretrain</c>.</summary>
internal static class ModelFolders
{
    /// <summary>Throws unless the model saved in <paramref name="modelFolder"/> has positions for <paramref name="sequenceLength"/> tokens.</summary>
    public static void CheckSequenceLength(string modelFolder, int sequenceLength)
    {
        var positions = BertModelStore.LoadConfig(modelFolder).MaxPositions;
        if (sequenceLength > positions)
        {
            throw new CliUsageException(
                $"--seq-length {sequenceLength} is longer than the {positions} positions of the model in '{modelFolder}'; use --seq-length {positions} or less.");
        }
    }

    /// <summary>
    /// Copies the WordPiece vocabulary of <paramref name="sourceFolder"/> (an imported Hugging Face model's own) to
    /// <paramref name="modelFolder"/>, when it has one: a model made from another speaks its vocabulary, and every
    /// command reads <c>&lt;model&gt;/vocab.txt</c> when present.
    /// </summary>
    public static void CopyVocabulary(string sourceFolder, string modelFolder)
    {
        var vocabulary = Path.Combine(sourceFolder, BertTextEncoder.VocabularyFileName);
        if (File.Exists(vocabulary))
        {
            File.Copy(vocabulary, Path.Combine(modelFolder, BertTextEncoder.VocabularyFileName), overwrite: true);
        }
    }

    /// <summary>The folder holding the saved model of <paramref name="path"/>: the path itself or its <c>model/</c> folder.</summary>
    /// <exception cref="CliUsageException">Neither holds a saved model.</exception>
    public static string Resolve(string path, string option) =>
        BertModelStore.FindModelFolder(path) ?? throw new CliUsageException(
            $"{option}: '{path}' holds no saved model ({BertModelStore.ConfigFileName} + {BertModelStore.WeightsFileName}), " +
            $"neither directly nor in '{RunFolders.ModelFolderName}/'. Give a model folder or the --out folder of 'tcd pretrain' / 'tcd distill'.");
}
