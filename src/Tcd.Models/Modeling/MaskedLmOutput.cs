using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>Output of <see cref="BertForMaskedLm"/>.</summary>
/// <param name="Logits">Vocabulary logits: [N, V] for the requested positions, or [B, T, V] for every token.</param>
/// <param name="Encoder">The encoder's output (sequence output, taps, MoE routing, load-balance loss).</param>
public sealed record MaskedLmOutput(Tensor Logits, BertModelOutput Encoder)
{
    /// <summary>Moves the logits and every encoder tensor to the enclosing dispose scope.</summary>
    public MaskedLmOutput MoveToOuterDisposeScope()
    {
        Logits.MoveToOuterDisposeScope();
        Encoder.MoveToOuterDisposeScope();
        return this;
    }
}
