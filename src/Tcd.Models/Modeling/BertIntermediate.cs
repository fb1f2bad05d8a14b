using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>First half of the dense FFN: <c>GELU(dense(x))</c> with the exact (erf) GELU, as Hugging Face <c>BertIntermediate</c>.</summary>
public sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;

    /// <summary>Creates the H → intermediate projection for <paramref name="config"/>.</summary>
    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = BertInitializer.Linear(config.HiddenSize, config.IntermediateSize, config.InitializerRange);
        RegisterComponents();
    }

    /// <summary>Returns <c>GELU(dense(x))</c>, [..., intermediate size].</summary>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return nn.functional.gelu(dense.forward(hidden)).MoveToOuterDisposeScope();
    }
}
