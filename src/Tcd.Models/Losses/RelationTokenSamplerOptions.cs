namespace Tcd.Models.Losses;

/// <summary>
/// How many tokens <see cref="RelationTokenSampler"/> draws for the trunk and inner relation losses, and how it
/// groups them. Defaults are the TCD paper's: K = 4096 tokens in G = 32 groups of S = 128.
/// </summary>
public sealed class RelationTokenSamplerOptions
{
    /// <summary>Number of groups G (default 32, as in the paper). Each group yields one S × S cosine matrix.</summary>
    public int GroupCount { get; set; } = 32;

    /// <summary>Tokens per group S (default 128, as in the paper).</summary>
    public int GroupSize { get; set; } = 128;

    /// <summary>Tokens sampled per batch, K = <see cref="GroupCount"/> × <see cref="GroupSize"/> (4096 by default).</summary>
    public long TokenCount => (long)GroupCount * GroupSize;

    /// <summary>Throws when an option is out of range, naming the option.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="GroupCount"/> or <see cref="GroupSize"/> is less than 1.</exception>
    public void Validate()
    {
        if (GroupCount < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(GroupCount), GroupCount, "RelationTokenSamplerOptions.GroupCount must be at least 1 (the paper uses 32).");
        }

        if (GroupSize < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(GroupSize), GroupSize, "RelationTokenSamplerOptions.GroupSize must be at least 1 (the paper uses 128).");
        }
    }
}
