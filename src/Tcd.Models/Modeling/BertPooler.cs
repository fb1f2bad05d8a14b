using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>Pooler: <c>tanh(dense(h_[CLS]))</c> on the first token, as Hugging Face <c>BertPooler</c>.</summary>
public sealed class BertPooler : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;

    /// <summary>Creates the H → H pooler projection for <paramref name="config"/>.</summary>
    public BertPooler(BertConfig config) : base(nameof(BertPooler))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = BertInitializer.Linear(config.HiddenSize, config.HiddenSize, config.InitializerRange);
        RegisterComponents();
    }

    /// <summary>Pools the sequence output [B, T, H] into [B, H].</summary>
    public override Tensor forward(Tensor sequenceOutput)
    {
        using var scope = NewDisposeScope();
        return dense.forward(sequenceOutput.select(1, 0)).tanh().MoveToOuterDisposeScope();
    }
}
