namespace Tcd.Models.Xpert;

/// <summary>One common expert chosen by <see cref="CommonExpertSelector"/>.</summary>
/// <param name="Expert">The expert's index in its layer.</param>
/// <param name="Score">Its score (minimum or geometric mean of the per-domain frequencies).</param>
/// <param name="MeanFrequency">Its activation frequency averaged over the domains (the weight XPERT combines experts by).</param>
public sealed record SelectedExpert(int Expert, double Score, double MeanFrequency);
