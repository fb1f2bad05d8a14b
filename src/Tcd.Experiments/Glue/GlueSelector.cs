using Tcd.Models.Training;

namespace Tcd.Experiments.Glue;

/// <summary>Chooses the reported configuration per model × task from finished grid cells.</summary>
internal static class GlueSelector
{
    /// <summary>
    /// Groups <paramref name="cells"/> by model, task and configuration; summarises each configuration over its
    /// seeds; picks the best full and the best adapter configuration by mean score, and reports the better of the
    /// two. Ties go to full fine-tuning, then to the smaller learning rate and adapter size, so the choice is stable.
    /// </summary>
    /// <returns>One selection per model × task, in the order the pairs first appear in <paramref name="cells"/>.</returns>
    public static IReadOnlyList<GlueSelection> Select(IEnumerable<GlueCellResult> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        return cells
            .GroupBy(cell => (cell.Key.Model, cell.Key.Task))
            .Select(pair =>
            {
                var scored = pair.GroupBy(cell => cell.Key.Configuration).Select(Summarise).ToList();
                var bestFull = Best(scored.Where(score => score.Configuration.Mode == FineTuningMode.Full));
                var bestAdapters = Best(scored.Where(score => score.Configuration.Mode == FineTuningMode.Adapters));
                var chosen = Best(new[] { bestFull, bestAdapters }.OfType<GlueConfigurationScore>())!;
                return new GlueSelection(pair.Key.Model, pair.Key.Task, chosen, bestFull, bestAdapters);
            })
            .ToList();
    }

    private static GlueConfigurationScore Summarise(IGrouping<GlueConfiguration, GlueCellResult> seeds)
    {
        var ordered = seeds.OrderBy(cell => cell.Key.Seed).ToList();
        var columns = ordered.SelectMany(cell => cell.Scores.Keys).Distinct(StringComparer.Ordinal)
            .ToDictionary(column => column, column => ScoreSummary.Of(ordered.Where(cell => cell.Scores.ContainsKey(column)).Select(cell => cell.Scores[column])), StringComparer.Ordinal);
        var best = ordered.OrderByDescending(cell => cell.Score).ThenBy(cell => cell.Key.Seed).First();
        return new GlueConfigurationScore(
            seeds.Key, ScoreSummary.Of(ordered.Select(cell => cell.Score)), columns, ordered.Select(cell => cell.Key.Seed).ToList(), best.Key.Seed);
    }

    private static GlueConfigurationScore? Best(IEnumerable<GlueConfigurationScore> candidates) =>
        candidates
            .OrderByDescending(score => score.Score.Mean)
            .ThenBy(score => score.Configuration.Mode)
            .ThenBy(score => score.Configuration.LearningRate)
            .ThenBy(score => score.Configuration.AdapterSize)
            .FirstOrDefault();
}
