using static TorchSharp.torch;

namespace Tcd.Models.Data;

/// <summary>
/// Turns encoded rows into a padded <see cref="BertBatch"/>. Rows are padded with the pad id to the longest row
/// of the batch (not to a fixed length), so short batches cost less compute.
/// </summary>
public sealed class BatchCollator
{
    private readonly int _padId;

    /// <summary>Creates a collator that pads with the given pad token id.</summary>
    /// <param name="padId">The id of <c>[PAD]</c>, e.g. <c>encoder.SpecialTokenIds.Pad</c>.</param>
    public BatchCollator(int padId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(padId);
        _padId = padId;
    }

    /// <summary>Creates a collator that pads with <see cref="SpecialTokenIds.Pad"/>.</summary>
    public BatchCollator(SpecialTokenIds specialTokenIds)
        : this((specialTokenIds ?? throw new ArgumentNullException(nameof(specialTokenIds))).Pad)
    {
    }

    /// <summary>
    /// Pads the rows to the longest one and builds int64 [B, T] tensors on <paramref name="device"/>
    /// (<see cref="BertBatch.Labels"/> is null). The returned batch is owned by the caller.
    /// </summary>
    /// <param name="rows">At least one row; every row needs at least one token and equal-length id arrays.</param>
    /// <param name="device">Device for the tensors.</param>
    public BertBatch Collate(IReadOnlyList<EncodedText> rows, Device device)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(device);
        if (rows.Count == 0)
        {
            throw new ArgumentException("Cannot collate an empty batch: pass at least one row.", nameof(rows));
        }

        var width = 0;
        long tokenCount = 0;
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r] ?? throw new ArgumentException($"Row {r} of the batch is null.", nameof(rows));
            if (row.InputIds.Length == 0 || row.InputIds.Length != row.TokenTypeIds.Length)
            {
                throw new ArgumentException(
                    $"Row {r} of the batch has {row.InputIds.Length} input ids and {row.TokenTypeIds.Length} token type ids; " +
                    "both must have the same, non-zero length.", nameof(rows));
            }

            width = Math.Max(width, row.Length);
            tokenCount += row.Length;
        }

        var inputIds = new long[rows.Count * width];
        var tokenTypeIds = new long[rows.Count * width];
        var attentionMask = new long[rows.Count * width];
        Array.Fill(inputIds, _padId);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var offset = r * width;
            Array.Copy(row.InputIds, 0, inputIds, offset, row.Length);
            Array.Copy(row.TokenTypeIds, 0, tokenTypeIds, offset, row.Length);
            Array.Fill(attentionMask, 1L, offset, row.Length);
        }

        long[] shape = [rows.Count, width];
        return new BertBatch(
            tensor(inputIds, shape, device: device),
            tensor(tokenTypeIds, shape, device: device),
            tensor(attentionMask, shape, device: device),
            labels: null,
            tokenCount);
    }
}
