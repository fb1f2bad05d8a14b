namespace Tcd.Models.Data;

/// <summary>
/// One tokenised sequence, special tokens included, without padding.
/// Both arrays have one entry per real token.
/// </summary>
/// <param name="InputIds">WordPiece ids, e.g. <c>[CLS] a [SEP]</c> or <c>[CLS] a [SEP] b [SEP]</c>.</param>
/// <param name="TokenTypeIds">Segment ids: 0 for the first segment (with <c>[CLS]</c> and its <c>[SEP]</c>), 1 for the second.</param>
public sealed record EncodedText(int[] InputIds, int[] TokenTypeIds)
{
    /// <summary>Number of real tokens (the length of <see cref="InputIds"/>).</summary>
    public int Length => InputIds.Length;
}
