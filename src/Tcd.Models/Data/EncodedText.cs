using Tcd.Models.Runtime;

namespace Tcd.Models.Data;

/// <summary>
/// One tokenised sequence, special tokens included, without padding.
/// Both arrays have one entry per real token.
/// </summary>
/// <remarks>
/// Two encodings are equal when they hold the same ids: a record compares array members by reference, which would make
/// two encodings of the same text unequal.
/// </remarks>
/// <param name="InputIds">WordPiece ids, e.g. <c>[CLS] a [SEP]</c> or <c>[CLS] a [SEP] b [SEP]</c>.</param>
/// <param name="TokenTypeIds">Segment ids: 0 for the first segment (with <c>[CLS]</c> and its <c>[SEP]</c>), 1 for the second.</param>
public sealed record EncodedText(int[] InputIds, int[] TokenTypeIds)
{
    /// <summary>Number of real tokens (the length of <see cref="InputIds"/>).</summary>
    public int Length => InputIds.Length;

    /// <summary>True when <paramref name="other"/> has the same <see cref="InputIds"/> and <see cref="TokenTypeIds"/>, element by element.</summary>
    /// <param name="other">The encoding to compare with; null is equal to no encoding.</param>
    public bool Equals(EncodedText? other) =>
        other is not null && ArrayValues.Equal(InputIds, other.InputIds) && ArrayValues.Equal(TokenTypeIds, other.TokenTypeIds);

    /// <summary>A hash of the ids, so that equal encodings hash alike.</summary>
    public override int GetHashCode() => HashCode.Combine(ArrayValues.Hash(InputIds), ArrayValues.Hash(TokenTypeIds));
}
