using Microsoft.ML;
using Tcd.MLNet.Transformers;

namespace Tcd.MLNet;

/// <summary>Walks a fitted model, whose transformer chains may nest, as the flat run of transformers it applies.</summary>
internal static class TransformerChains
{
    /// <summary>The transformers of <paramref name="model"/> in the order they run; a lone transformer is a run of one.</summary>
    public static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];

    /// <summary>
    /// Frees the networks of the Tcd transformers among <paramref name="transformers"/> (a network that several run is
    /// freed once) and disposes the disposable ML.NET ones: what <c>mlContext.Tcd().DisposeModel</c> does, and what a
    /// loader does with the transformers it loaded but does not return.
    /// </summary>
    public static void Release(IEnumerable<ITransformer> transformers)
    {
        foreach (var transformer in transformers)
        {
            if (transformer is BertTransformer bert)
            {
                bert.ReleaseWeights();
            }
            else
            {
                (transformer as IDisposable)?.Dispose();
            }
        }
    }
}
