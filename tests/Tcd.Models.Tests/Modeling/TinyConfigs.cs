using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Modeling;

/// <summary>Small models and batches shared by the modeling tests.</summary>
internal static class TinyConfigs
{
    public static BertConfig Vanilla { get; } = new()
    {
        VocabSize = 100, HiddenSize = 32, NumLayers = 2, NumHeads = 2, IntermediateSize = 64, MaxPositions = 32,
    };

    public static BertConfig Moe { get; } = Vanilla.WithExperts(4);

    /// <summary>Random token ids in [1, vocab) so no id is the padding id, [batch, tokens].</summary>
    public static Tensor RandomIds(BertConfig config, long batch, long tokens, long seed)
    {
        var generator = new Generator((ulong)seed);
        return randint(1, config.VocabSize, [batch, tokens], dtype: ScalarType.Int64, generator: generator);
    }

    /// <summary>Largest absolute difference between two tensors.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();
}
