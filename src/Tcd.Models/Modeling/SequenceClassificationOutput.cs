using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>Output of <see cref="BertForSequenceClassification"/>.</summary>
/// <param name="Logits">[B, NumLabels]: class logits, or [B, 1] regression scores when NumLabels is 1.</param>
/// <param name="Encoder">The encoder's output (sequence output, taps, MoE routing, load-balance loss, pooled output).</param>
public sealed record SequenceClassificationOutput(Tensor Logits, BertModelOutput Encoder)
{
    /// <summary>Moves the logits and every encoder tensor to the enclosing dispose scope.</summary>
    public SequenceClassificationOutput MoveToOuterDisposeScope()
    {
        Logits.MoveToOuterDisposeScope();
        Encoder.MoveToOuterDisposeScope();
        return this;
    }
}
