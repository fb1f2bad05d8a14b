namespace Tcd.Models.Xpert;

/// <summary>
/// XPERT step 2: picks in every layer the experts that fire across all domains. An expert that some domain never
/// routes a token to (frequency 0) is never selected, whatever the mode.
/// </summary>
public sealed class CommonExpertSelector
{
    /// <summary>
    /// What to tell a user who gives a single domain: the selection works, but "common to all domains" then holds for
    /// every frequently used expert.
    /// </summary>
    public const string SingleDomainWarning =
        "only one domain was given, so every frequently used expert counts as common; XPERT mines the experts shared across several domains, so give two or more for its selection to mean that.";

    /// <summary>
    /// What to tell a user about a domain whose text ended before one batch was full
    /// (<see cref="ExpertActivationOptions.EndedBeforeOneBatch"/>), after naming the domain and its token count.
    /// </summary>
    public const string ShortDomainWarning =
        "its expert frequencies rest on too little text to say which experts it uses, yet they weigh as much as any other domain's in the selection: give it more text.";

    /// <summary>
    /// What to tell a user who gives one text under two or more domain names, after naming them and the text: each
    /// name is analysed as a domain of its own.
    /// </summary>
    public const string RepeatedTextWarning =
        "so its text counts twice when choosing the experts every domain uses; give each domain its own text.";

    private readonly CommonExpertSelectionOptions options;

    /// <summary>Creates a selector; null options use the defaults (top 2 by minimum frequency).</summary>
    public CommonExpertSelector(CommonExpertSelectionOptions? options = null)
    {
        this.options = options ?? new CommonExpertSelectionOptions();
        this.options.Validate();
    }

    /// <summary>The selection of every layer of <paramref name="table"/>, bottom layer first.</summary>
    public IReadOnlyList<LayerExpertSelection> Select(ExpertActivationTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Enumerable.Range(0, table.LayerCount).Select(layer => SelectLayer(table, layer)).ToList();
    }

    /// <summary>The score of one expert: minimum or geometric mean of its per-domain frequencies.</summary>
    public double Score(ExpertActivationTable table, int layer, int expert)
    {
        ArgumentNullException.ThrowIfNull(table);
        var frequencies = Enumerable.Range(0, table.DomainCount).Select(domain => table.Frequency(layer, domain, expert)).ToArray();
        return options.Scoring == CommonExpertScoring.Minimum
            ? frequencies.Min()
            : frequencies.Min() == 0 ? 0 : Math.Exp(frequencies.Average(Math.Log));
    }

    private LayerExpertSelection SelectLayer(ExpertActivationTable table, int layer)
    {
        var candidates = Enumerable.Range(0, table.ExpertCount)
            .Select(expert => new SelectedExpert(
                expert,
                Score(table, layer, expert),
                Enumerable.Range(0, table.DomainCount).Average(domain => table.Frequency(layer, domain, expert))))
            .Where(expert => AllDomains(table, layer, expert.Expert, frequency => frequency > 0))
            .OrderByDescending(expert => expert.Score)
            .ThenBy(expert => expert.Expert);
        if (options.Mode == CommonExpertSelectionMode.Threshold)
        {
            return new LayerExpertSelection(
                layer, candidates.Where(expert => AllDomains(table, layer, expert.Expert, frequency => frequency >= options.Threshold)).ToList());
        }

        var chosen = candidates.Take(options.TopK).ToList();
        return new LayerExpertSelection(layer, chosen) { Warning = TopKShortfall(chosen.Count, table.ExpertCount) };
    }

    /// <summary>
    /// Says why fewer than TopK experts were chosen, or null. A preset TopK is reasonable for any model, so a small one is
    /// not refused, but the caller should see that the dense model combines fewer experts than asked.
    /// </summary>
    private string? TopKShortfall(int chosen, int expertCount) =>
        chosen == options.TopK ? null
        : chosen == expertCount ? FormattableString.Invariant($"TopK is {options.TopK} but the layer has only {expertCount} experts; all {chosen} are kept")
        : FormattableString.Invariant($"TopK is {options.TopK} but only {chosen} of the layer's {expertCount} experts are active in every domain");

    private static bool AllDomains(ExpertActivationTable table, int layer, int expert, Func<double, bool> condition) =>
        Enumerable.Range(0, table.DomainCount).All(domain => condition(table.Frequency(layer, domain, expert)));
}
