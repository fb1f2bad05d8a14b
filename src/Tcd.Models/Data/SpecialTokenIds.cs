namespace Tcd.Models.Data;

/// <summary>
/// The ids of BERT's special tokens, looked up in a vocabulary by their token text
/// (<c>[PAD]</c>, <c>[UNK]</c>, <c>[CLS]</c>, <c>[SEP]</c>, <c>[MASK]</c>).
/// For the BERT uncased vocabulary these are 0, 100, 101, 102 and 103.
/// </summary>
/// <param name="Pad">Id of <c>[PAD]</c>, used to pad rows of a batch.</param>
/// <param name="Unk">Id of <c>[UNK]</c>, produced for text that has no WordPiece in the vocabulary.</param>
/// <param name="Cls">Id of <c>[CLS]</c>, the first token of every sequence.</param>
/// <param name="Sep">Id of <c>[SEP]</c>, which ends every segment.</param>
/// <param name="Mask">Id of <c>[MASK]</c>, which replaces tokens the masked language model must predict.</param>
public sealed record SpecialTokenIds(int Pad, int Unk, int Cls, int Sep, int Mask)
{
    /// <summary>All five ids, in the order Pad, Unk, Cls, Sep, Mask.</summary>
    public IReadOnlyList<int> All => new[] { Pad, Unk, Cls, Sep, Mask };
}
