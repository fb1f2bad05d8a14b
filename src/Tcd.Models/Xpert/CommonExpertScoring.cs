namespace Tcd.Models.Xpert;

/// <summary>How <see cref="CommonExpertSelector"/> scores an expert from its per-domain activation frequencies.</summary>
public enum CommonExpertScoring
{
    /// <summary>The smallest frequency over the domains: an expert scores high only if every domain uses it.</summary>
    Minimum,

    /// <summary>The geometric mean of the frequencies over the domains (0 when any domain never uses the expert).</summary>
    GeometricMean,
}
