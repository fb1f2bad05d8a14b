using Tcd.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Losses;

/// <summary>
/// Draws the tokens whose pairwise relations the trunk and inner relation losses align: a uniform sample without
/// replacement from the batch's real (non-padding) tokens, split into groups. Use the same sample for the student
/// and the teacher.
/// </summary>
/// <remarks>
/// <para>The sample is an int64 tensor <c>[G, S]</c> of flat indices into the batch's <c>B × T</c> positions
/// (index <c>b · T + t</c>), on the attention mask's device. With R real tokens in the batch:</para>
/// <list type="bullet">
/// <item>R ≥ G·S: G groups of S tokens (K = G·S distinct tokens).</item>
/// <item>S ≤ R &lt; G·S: all R tokens are shuffled and cut into ⌊R / S⌋ groups of S; the R mod S tokens left over
/// (random ones, at most S − 1) are not used this step.</item>
/// <item>1 ≤ R &lt; S: one group of all R tokens, shuffled (<c>[1, R]</c>).</item>
/// <item>R = 0: an <see cref="ArgumentException"/>.</item>
/// </list>
/// <para>Randomness comes from the sampler's own seeded CPU <see cref="torch.Generator"/>, so a sampler created with
/// the same seed returns the same sequence of samples for the same masks, independent of the global torch seed.</para>
/// </remarks>
public sealed class RelationTokenSampler : IDisposable
{
    private readonly Generator generator;

    /// <summary>Creates a sampler with its own random stream.</summary>
    /// <param name="options">Group count and size; validated here.</param>
    /// <param name="seed">Seed of the sampler's generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RelationTokenSampler(RelationTokenSamplerOptions options, long seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        GroupCount = options.GroupCount;
        GroupSize = options.GroupSize;
        generator = new Generator(unchecked((ulong)seed), CPU);
    }

    /// <summary>Groups G of a full sample.</summary>
    public int GroupCount { get; }

    /// <summary>Tokens per group S.</summary>
    public int GroupSize { get; }

    /// <summary>
    /// The shape <c>(groups, group size)</c> of the sample drawn from <paramref name="realTokens"/> real tokens,
    /// following the rule in the class remarks.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="realTokens"/> is less than 1.</exception>
    public (long Groups, long GroupSize) SampleShape(long realTokens)
    {
        if (realTokens < 1)
        {
            throw new ArgumentException(
                "The attention mask has no real tokens (all zeros), so there is nothing to sample for the relation " +
                "losses. Check the batch collation: real tokens must be marked 1 in the attention mask.",
                nameof(realTokens));
        }

        if (realTokens < GroupSize)
        {
            return (1, realTokens);
        }

        return (Math.Min(GroupCount, realTokens / GroupSize), GroupSize);
    }

    /// <summary>Samples token indices from the real tokens of a batch.</summary>
    /// <param name="attentionMask">Integer mask <c>[B, T]</c>: 1 (non-zero) for real tokens, 0 for padding.</param>
    /// <returns>Flat indices into <c>B × T</c>, int64 <c>[G, S]</c> (see the class remarks for small batches).</returns>
    /// <exception cref="ArgumentException">The mask is not 2-D or has no real token.</exception>
    public Tensor Sample(Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (attentionMask.dim() != 2)
        {
            throw new ArgumentException(
                $"The attention mask must be [B, T], got {RelationMath.Shape(attentionMask)}.", nameof(attentionMask));
        }

        using var scope = NewDisposeScope();
        var realPositions = attentionMask.reshape(-1).ne(TorchScalars.Zero).nonzero().squeeze(dim: 1);
        var (groups, groupSize) = SampleShape(realPositions.shape[0]);
        var order = randperm(realPositions.shape[0], dtype: ScalarType.Int64, device: CPU, generator: generator);
        var chosen = order.slice(0, 0, groups * groupSize, 1).to(attentionMask.device);
        return realPositions.index_select(0, chosen).view(groups, groupSize).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the native random generator.</summary>
    public void Dispose() => generator.Dispose();
}
