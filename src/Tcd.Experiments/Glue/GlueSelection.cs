namespace Tcd.Experiments.Glue;

/// <summary>
/// The configuration reported for one model × task: the better of the best full fine-tuning and the best adapter
/// configuration, each chosen by mean dev score over seeds (the paper's protocol).
/// </summary>
/// <param name="Model">Model name.</param>
/// <param name="Task">Official GLUE task name.</param>
/// <param name="Chosen">The reported configuration and its scores.</param>
/// <param name="BestFull">The best full fine-tuning configuration, if the grid had any.</param>
/// <param name="BestAdapters">The best adapter configuration, if the grid had any.</param>
public sealed record GlueSelection(
    string Model, string Task, GlueConfigurationScore Chosen, GlueConfigurationScore? BestFull, GlueConfigurationScore? BestAdapters);
