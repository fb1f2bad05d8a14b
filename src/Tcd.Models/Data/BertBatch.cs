using static TorchSharp.torch;

namespace Tcd.Models.Data;

/// <summary>
/// A padded batch of BERT inputs. All tensors are int64 of shape [B, T] on the same device;
/// T is the longest row of the batch. The batch owns its tensors and disposes them.
/// </summary>
public sealed class BertBatch : IDisposable
{
    /// <summary>Creates a batch that takes ownership of the given tensors.</summary>
    /// <param name="inputIds">Token ids [B, T]; padding positions hold the pad id.</param>
    /// <param name="tokenTypeIds">Segment ids [B, T]; 0 at padding positions.</param>
    /// <param name="attentionMask">1 for real tokens, 0 for padding [B, T].</param>
    /// <param name="labels">Masked-LM targets [B, T] (-100 = not a target), or null.</param>
    /// <param name="tokenCount">Number of real (non-padding) tokens in the batch.</param>
    public BertBatch(Tensor inputIds, Tensor tokenTypeIds, Tensor attentionMask, Tensor? labels, long tokenCount)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(tokenTypeIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        InputIds = inputIds;
        TokenTypeIds = tokenTypeIds;
        AttentionMask = attentionMask;
        Labels = labels;
        TokenCount = tokenCount;
    }

    /// <summary>Label value for positions that are not a prediction target (PyTorch's cross-entropy ignore index).</summary>
    public const long IgnoreIndex = -100;

    /// <summary>Token ids, int64 [B, T].</summary>
    public Tensor InputIds { get; }

    /// <summary>Segment (token type) ids, int64 [B, T].</summary>
    public Tensor TokenTypeIds { get; }

    /// <summary>Attention mask, int64 [B, T]: 1 = real token, 0 = padding.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>Masked-LM labels, int64 [B, T]: the original id at target positions, <see cref="IgnoreIndex"/> elsewhere; null when unmasked.</summary>
    public Tensor? Labels { get; }

    /// <summary>Number of real (non-padding) tokens, e.g. for tokens-per-second figures.</summary>
    public long TokenCount { get; }

    /// <summary>Number of rows (B).</summary>
    public long BatchSize => InputIds.shape[0];

    /// <summary>Padded sequence length (T).</summary>
    public long SequenceLength => InputIds.shape[1];

    /// <summary>The device the tensors live on.</summary>
    public Device Device => InputIds.device;

    /// <summary>Disposes all tensors of the batch.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        TokenTypeIds.Dispose();
        AttentionMask.Dispose();
        Labels?.Dispose();
    }
}
