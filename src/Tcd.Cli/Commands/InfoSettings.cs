namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd info</c> was asked to do.</summary>
/// <param name="Model">The model folder.</param>
/// <param name="Json">Print JSON instead of lines of text.</param>
internal sealed record InfoSettings(string Model, bool Json);
