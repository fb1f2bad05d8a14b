namespace Tcd.Experiments.Glue;

/// <summary>How one configuration did on one model × task over its seeds.</summary>
/// <param name="Configuration">The configuration.</param>
/// <param name="Score">Mean ± std over seeds of the cells' scores (<see cref="GlueCellResult.Score"/>); selection uses its mean.</param>
/// <param name="Columns">Mean ± std over seeds per result column (the table's cells).</param>
/// <param name="Seeds">The seeds, ascending.</param>
/// <param name="BestSeed">The seed with the highest score (its predictions are the submission files).</param>
public sealed record GlueConfigurationScore(
    GlueConfiguration Configuration,
    ScoreSummary Score,
    IReadOnlyDictionary<string, ScoreSummary> Columns,
    IReadOnlyList<long> Seeds,
    long BestSeed);
