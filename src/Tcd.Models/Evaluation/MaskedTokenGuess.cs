namespace Tcd.Models.Evaluation;

/// <summary>One vocabulary entry a masked-LM model puts in place of a <c>[MASK]</c>, with its probability.</summary>
/// <param name="Token">The word piece as the vocabulary spells it (a continuation piece keeps its <c>##</c>).</param>
/// <param name="TokenId">Its id in the vocabulary.</param>
/// <param name="Probability">The softmax of the head's logits over the whole vocabulary at the masked position, in [0, 1].</param>
public sealed record MaskedTokenGuess(string Token, int TokenId, float Probability);
