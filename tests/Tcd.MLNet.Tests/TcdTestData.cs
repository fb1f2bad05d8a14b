using Microsoft.ML;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Models.Losses;
using Tcd.Models.Modeling;
using Tcd.Models.Training;

namespace Tcd.MLNet.Tests;

/// <summary>Tiny models, tiny in-memory data views and fast options shared by the Tcd.MLNet tests.</summary>
internal static class TcdTestData
{
    private static readonly Lazy<PretrainedBertTransformer> SharedTeacher = new(() =>
        new MLContext(seed: 1).Tcd().PretrainTeacher(PretrainingOptions<BertPretrainingOptions>()).Fit(Corpus(new MLContext(seed: 1))));

    private static readonly Lazy<PretrainedBertTransformer> SharedMoe = new(() =>
        new MLContext(seed: 1).Tcd().PretrainMoe(PretrainingOptions<MoePretrainingOptions>()).Fit(Corpus(new MLContext(seed: 1))));

    private static readonly Lazy<FineTunedBertTransformer> SharedSentimentClassifier = new(() =>
    {
        var mlContext = new MLContext(seed: 1);
        return mlContext.Tcd().TextClassifier(Teacher, new BertFineTuningOptions { Training = FastFineTuning(1), TransformBatchSize = 4 })
            .Fit(mlContext.Data.LoadFromEnumerable(Sentiment()));
    });

    /// <summary>
    /// Tensors created and not yet disposed on this thread (TorchSharp's count): a network's weights count until it is
    /// freed, and making or loading one leaves no other handle behind, so a network held adds exactly its weights and a
    /// network freed adds nothing. Loads run on the caller's thread and the assembly runs its tests one at a time.
    /// </summary>
    public static long LiveTensors() => TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    public static BertConfig Tiny { get; } = new() { NumLayers = 2, HiddenSize = 32, NumHeads = 2, IntermediateSize = 64, MaxPositions = 64 };

    /// <summary>A teacher pre-trained for a few steps, shared (read-only) by the fine-tuning and serialization tests.</summary>
    public static PretrainedBertTransformer Teacher => SharedTeacher.Value;

    /// <summary>A 4-expert MoE pre-trained for a few steps, shared (read-only) by the XPERT tests.</summary>
    public static PretrainedBertTransformer Moe => SharedMoe.Value;

    /// <summary>A binary classifier of <see cref="Sentiment"/> fine-tuned for one epoch (Transform batches of 4), shared (read-only).</summary>
    public static FineTunedBertTransformer SentimentClassifier => SharedSentimentClassifier.Value;

    public static PretrainingOptions FastPretraining(long steps = 3) => new()
    {
        TotalSteps = steps,
        BatchSize = 4,
        MaxSequenceLength = 32,
        LearningRate = 2e-3,
        WarmupSteps = 1,
        LogEvery = 1,
        Device = "cpu",
        ShuffleBufferSize = 16,
        RelationSampling = new RelationTokenSamplerOptions { GroupCount = 2, GroupSize = 32 },
    };

    public static T PretrainingOptions<T>() where T : BertPretrainingOptions, new() => new() { Model = Tiny, Training = FastPretraining() };

    public static FineTuningOptions FastFineTuning(int epochs = 2) => new()
    {
        Epochs = epochs, BatchSize = 8, LearningRate = 1e-3, Device = "cpu", MaxSequenceLength = 32, LogEvery = 1,
    };

    public static IDataView Corpus(MLContext mlContext) => mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 12).Select(i => new TextInput
    {
        Text = i % 2 == 0 ? "the cat sat on the mat. the dog sat on the log." : "a bird sang in the tree and the sun was warm.",
    }));

    public static readonly string[] Positive = ["a wonderful, delightful film", "great acting and a lovely story", "i loved it, truly excellent", "a joy from start to finish"];

    public static readonly string[] Negative = ["a dull, boring mess", "terrible acting and an awful plot", "i hated it, truly bad", "a waste of time"];

    public static IEnumerable<SentimentRow> Sentiment(int repeat = 2) =>
        Enumerable.Range(0, repeat).SelectMany(_ => Positive.Select(t => new SentimentRow { Text = t, Label = true }).Concat(Negative.Select(t => new SentimentRow { Text = t, Label = false })));

    public static IEnumerable<TopicRow> Topics() =>
        Enumerable.Range(0, 2).SelectMany(_ => new[]
        {
            new TopicRow { Text = "the striker scored a goal", Topic = "sport" },
            new TopicRow { Text = "the team won the match", Topic = "sport" },
            new TopicRow { Text = "stocks fell on the market", Topic = "finance" },
            new TopicRow { Text = "the bank raised interest rates", Topic = "finance" },
            new TopicRow { Text = "it will rain tomorrow", Topic = "weather" },
            new TopicRow { Text = "a sunny and warm afternoon", Topic = "weather" },
        });
}

public sealed class TextInput
{
    public string Text { get; set; } = string.Empty;
}

public sealed class SentimentRow
{
    public string Text { get; set; } = string.Empty;

    public bool Label { get; set; }
}

public sealed class TopicRow
{
    public string Text { get; set; } = string.Empty;

    public string Topic { get; set; } = string.Empty;
}

public sealed class ScoreRow
{
    public string Text { get; set; } = string.Empty;

    public float Label { get; set; }
}

public sealed class BinaryPrediction
{
    public float Score { get; set; }

    public float Probability { get; set; }

    public bool PredictedLabel { get; set; }
}
