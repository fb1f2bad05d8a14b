using Microsoft.ML;
using Tcd.MLNet;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Training;
using Tcd.Models.Runtime;

namespace Tcd.Samples;

/// <summary>The pre-trained model of a sample: the one the user names, or a tiny teacher pre-trained on the spot.</summary>
internal static class SampleModels
{
    /// <summary>
    /// Loads <paramref name="path"/> (a SaveModel file, a BertModelStore folder or a Hugging Face folder), or, when it is
    /// null, pre-trains a tiny BERT teacher (L=2, H=64) for <paramref name="steps"/> steps on <paramref name="corpus"/>.
    /// Each line of news and progress goes to <paramref name="say"/>, so that it takes the sample's own line style
    /// (FineTuneGlue stamps its lines with the elapsed time).
    /// </summary>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> stopped the pre-training; the message says that the next run starts it over.
    /// </exception>
    public static PretrainedBertTransformer LoadOrPretrain(
        MLContext mlContext, string? path, string corpus, long steps, string device, long seed, Action<string> say, CancellationToken cancellationToken)
    {
        if (path is not null)
        {
            say($"Loading the pre-trained model {path}");
            return mlContext.Tcd().LoadPretrained(path);
        }

        var documents = TextCorpus.FromFiles(corpus).ReadDocuments().Select(paragraphs => new Document { Text = string.Join('\n', paragraphs) }).ToList();
        say($"No --model given: pre-training a tiny BERT teacher for {steps} steps on {documents.Count} documents of {corpus}.");
        var options = new BertPretrainingOptions
        {
            Model = BertConfig.Tiny,
            Training = new PretrainingOptions
            {
                TotalSteps = steps, BatchSize = 16, MaxSequenceLength = 64, LearningRate = 1e-3, LogEvery = Math.Max(1, (int)(steps / 5)),
                Device = device, Seed = seed, ShuffleBufferSize = 2_000,
            },
            Progress = new SynchronousProgress<PretrainingProgress>(row => say($"[pre-training] {row}")),
            CancellationToken = cancellationToken,
        };
        try
        {
            return mlContext.Tcd().PretrainTeacher(options).Fit(mlContext.Data.LoadFromEnumerable(documents));
        }
        catch (OperationCanceledException ex)
        {
            // The library's message advises Training.CheckpointDirectory, which no sample option sets.
            throw new OperationCanceledException(
                "The tiny teacher's pre-training was stopped; it keeps no checkpoint, so the same command pre-trains it again.", ex, cancellationToken);
        }
    }

    private sealed class Document
    {
        public string Text { get; set; } = string.Empty;
    }
}
