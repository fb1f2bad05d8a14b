using Microsoft.ML;

namespace Tcd.MLNet;

/// <summary>Walks a fitted model, whose transformer chains may nest, as the flat run of transformers it applies.</summary>
internal static class TransformerChains
{
    /// <summary>The transformers of <paramref name="model"/> in the order they run; a lone transformer is a run of one.</summary>
    public static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];
}
