using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Training;
using TorchSharp;
using Tcd.Models.Runtime;

namespace Tcd.Models.Tests.Training;

/// <summary>Tiny models, a tiny repeated corpus and fast options shared by the pre-training tests.</summary>
internal static class PretrainerFixture
{
    public static readonly BertTextEncoder Encoder = BertTextEncoder.CreateUncased();

    public static BertConfig Vanilla { get; } = new()
    {
        NumLayers = 2, HiddenSize = 32, NumHeads = 2, IntermediateSize = 64, MaxPositions = 64,
    };

    public static BertConfig Moe { get; } = Vanilla.WithExperts(4);

    public static TextCorpus RepeatedText() => TextCorpus.FromTexts(RepeatedTexts());

    public static IEnumerable<string> RepeatedTexts() => Enumerable.Repeat(
        "the cat sat on the mat. the dog sat on the log. a bird sang in the tree and the sun was warm.", 40);

    public static PretrainingOptions FastOptions(long steps) => new()
    {
        TotalSteps = steps,
        BatchSize = 8,
        MaxSequenceLength = 32,
        LearningRate = 2e-3,
        WarmupSteps = Math.Min(2, steps),
        Device = "cpu",
        ShuffleBufferSize = 64,
        RelationSampling = new Tcd.Models.Losses.RelationTokenSamplerOptions { GroupCount = 2, GroupSize = 32 },
    };

    public static BertForMaskedLm NewModel(BertConfig config, long seed = 1)
    {
        torch.manual_seed(seed);
        return new BertForMaskedLm(config);
    }

    public static List<PretrainingProgress> Run(Pretrainer trainer, TextCorpus corpus, CancellationToken cancellationToken = default)
    {
        var rows = new List<PretrainingProgress>();
        trainer.Run(corpus, progress: new SynchronousProgress<PretrainingProgress>(rows.Add), cancellationToken: cancellationToken);
        return rows;
    }

    public static Dictionary<string, float[]> Snapshot(torch.nn.Module module) =>
        module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.cpu().to(torch.ScalarType.Float32).data<float>().ToArray());

    /// <summary>
    /// Asserts that two snapshots hold the same tensors with exactly the same values. Array by array: FluentAssertions'
    /// <c>BeEquivalentTo</c> on a dictionary of weight arrays compares element by element through reflection, tens of
    /// seconds for a tiny model.
    /// </summary>
    public static void ShouldHoldTheSameWeights(this Dictionary<string, float[]> actual, Dictionary<string, float[]> expected, string because)
    {
        actual.Keys.Should().BeEquivalentTo(expected.Keys, because);
        foreach (var (name, values) in expected)
        {
            actual[name].Should().Equal(values, $"{name}: {because}");
        }
    }
}
