using Tcd.Models.Modeling;
using Tcd.Models.Training;
using TorchSharp;
using static Tcd.Models.Tests.Training.PretrainerFixture;

namespace Tcd.Models.Tests.Training;

/// <summary>A tiny separable sentiment task and fast fine-tuning options, shared by the fine-tuning tests.</summary>
internal static class FineTuningFixture
{
    private static readonly string[] Positive = ["a good film", "great and good", "truly great", "good good fun", "a great story", "so good"];
    private static readonly string[] Negative = ["a bad film", "awful and bad", "truly awful", "bad bad mess", "an awful story", "so bad"];

    /// <summary>Batches of 4 at a high learning rate, a report every step.</summary>
    public static FineTuningOptions Fast(FineTuningMode mode = FineTuningMode.Full, int epochs = 6) => new()
    {
        Mode = mode,
        AdapterSize = 8,
        Epochs = epochs,
        BatchSize = 4,
        LearningRate = 1e-2,
        WarmupRatio = 0.1,
        LogEvery = 1,
        Device = "cpu",
        Seed = 7,
    };

    /// <summary>Twelve single sentences: "good/great" → 1, "bad/awful" → 0.</summary>
    public static List<FineTuningExample> SentimentExamples() =>
        Positive.Select(text => new FineTuningExample(Encoder.Encode(text, maxSequenceLength: 16), 1f))
            .Concat(Negative.Select(text => new FineTuningExample(Encoder.Encode(text, maxSequenceLength: 16), 0f)))
            .ToList();

    public static BertForSequenceClassification NewClassifier(int numLabels = 2, long seed = 5)
    {
        torch.manual_seed(seed);
        return new BertForSequenceClassification(Vanilla, numLabels);
    }
}
