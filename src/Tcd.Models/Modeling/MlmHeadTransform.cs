using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary><c>LayerNorm(GELU(dense(x)))</c> before the MLM decoder (Hugging Face <c>BertPredictionHeadTransform</c>).</summary>
public sealed class MlmHeadTransform : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;

    /// <summary>Creates the transform for <paramref name="config"/>.</summary>
    public MlmHeadTransform(BertConfig config) : base(nameof(MlmHeadTransform))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = BertInitializer.Linear(config.HiddenSize, config.HiddenSize, config.InitializerRange);
        LayerNorm = BertInitializer.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <summary>Transforms hidden states [..., H] into [..., H].</summary>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return LayerNorm.forward(nn.functional.gelu(dense.forward(hidden))).MoveToOuterDisposeScope();
    }
}
