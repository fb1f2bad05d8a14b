namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd fill-mask</c> was asked to do.</summary>
/// <param name="Model">The model folder.</param>
/// <param name="Texts">Texts with one or more [MASK] markers each.</param>
/// <param name="Top">Guesses shown per mask.</param>
/// <param name="Device">cpu, cuda, cuda:N or auto.</param>
/// <param name="Threads">libtorch CPU threads, or null for libtorch's choice.</param>
internal sealed record FillMaskSettings(string Model, IReadOnlyList<string> Texts, int Top, string Device, int? Threads);
