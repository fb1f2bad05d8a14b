using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>Weight initialisation shared by every module, matching Hugging Face <c>BertPreTrainedModel._init_weights</c>.</summary>
internal static class BertInitializer
{
    /// <summary>Standard deviation of freshly created Houlsby adapters, small so they start close to identity.</summary>
    public const double AdapterStd = 1e-3;

    /// <summary>Normal(0, std) weight, zero bias.</summary>
    public static Linear Linear(long inFeatures, long outFeatures, double std)
    {
        var linear = nn.Linear(inFeatures, outFeatures);
        using (no_grad())
        {
            nn.init.normal_(linear.weight!, mean: 0, std: std);
            nn.init.zeros_(linear.bias!);
        }

        return linear;
    }

    /// <summary>Normal(0, std) rows; the padding row (when given) is zero, as HF does for <c>padding_idx</c>.</summary>
    public static Embedding Embedding(long count, long width, double std, long? paddingIndex = null)
    {
        var embedding = nn.Embedding(count, width, padding_idx: paddingIndex);
        using (no_grad())
        {
            // TorchSharp's Embedding is a native module: each read of its weight is a new handle (the module keeps its
            // own), and the padding row is a view; left to the finalizer, they would keep the weights alive after the
            // model is disposed. The scope frees them here; the module was made outside it and keeps its weight.
            using var temporaries = NewDisposeScope();
            var weight = embedding.weight!;
            nn.init.normal_(weight, mean: 0, std: std);
            if (paddingIndex is { } pad)
            {
                weight[pad].zero_();
            }
        }

        return embedding;
    }

    /// <summary>LayerNorm with weight 1 and bias 0 (TorchSharp's default, stated here so it cannot drift).</summary>
    public static LayerNorm LayerNorm(long width, double eps)
    {
        var layerNorm = nn.LayerNorm(width, eps: eps);
        using (no_grad())
        {
            nn.init.ones_(layerNorm.weight!);
            nn.init.zeros_(layerNorm.bias!);
        }

        return layerNorm;
    }

    /// <summary>A new parameter of the given shape drawn from Normal(0, std).</summary>
    public static Parameter NormalParameter(long[] shape, double std)
    {
        var tensor = empty(shape);
        using (no_grad())
        {
            nn.init.normal_(tensor, mean: 0, std: std);
        }

        return new Parameter(tensor, requires_grad: true);
    }

    /// <summary>A new all-zero parameter of the given shape.</summary>
    public static Parameter ZeroParameter(long[] shape) => new(zeros(shape), requires_grad: true);
}
