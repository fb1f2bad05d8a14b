namespace Tcd.Models.Xpert;

/// <summary>
/// Multilinear ranks of the per-layer Tucker decomposition of the common experts' stacked weights
/// [2k, d_ff, d_model]; the d_ff and d_model ranks bound the FFN width and hidden size of a dense model initialised
/// from the factors (see <see cref="XpertInitializer"/>).
/// </summary>
/// <param name="IntermediateRank">Rank of the d_ff mode, in 1..d_ff of the source.</param>
/// <param name="HiddenRank">Rank of the d_model mode, in 1..d_model of the source.</param>
/// <param name="ExpertRank">
/// Rank of the expert mode; null (the default) or anything above 2k uses 2k for a layer with k chosen experts,
/// which keeps the expert mode exact.
/// </param>
public sealed record XpertRanks(int IntermediateRank, int HiddenRank, int? ExpertRank = null);
