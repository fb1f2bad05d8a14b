using Tcd.MLNet.Transformers;
using Tcd.Models.Xpert;

namespace Tcd.MLNet.Estimators;

/// <summary>
/// Options of <c>mlContext.Tcd().InitializeFromExperts(moe, domains, target, options)</c>: XPERT — analyse the
/// experts of a MoE model on several domains (the inherited <see cref="ExpertAnalysisOptions"/>), select the experts
/// common to all domains, Tucker-decompose their weights and initialise a dense model's FFNs from the factors.
/// </summary>
public sealed class XpertInitializationOptions : ExpertAnalysisOptions
{
    /// <summary>The output feature column of the fitted transformer (vector of float). Default "Features".</summary>
    public string OutputColumnName { get; set; } = "Features";

    /// <summary>Which experts count as common to all domains. Default: the top 2 per layer by their minimum frequency over the domains.</summary>
    public CommonExpertSelectionOptions Selection { get; set; } = new();

    /// <summary>
    /// Expert-mode Tucker rank, at least 1. A layer with k selected experts stacks 2k matrices (up- and down-projections),
    /// so a larger rank is capped at 2k there. Default null: 2k per layer (exact along the expert mode).
    /// </summary>
    public int? ExpertRank { get; set; }

    /// <summary>d_ff-mode Tucker rank, at least the target's IntermediateSize. Default null: the target's IntermediateSize.</summary>
    public int? IntermediateRank { get; set; }

    /// <summary>d_model-mode Tucker rank, at least the target's HiddenSize. Default null: the target's HiddenSize.</summary>
    public int? HiddenRank { get; set; }

    /// <summary>HOOI iterations and tolerance. Default null: the defaults of <see cref="TuckerOptions"/> (100 iterations, tolerance 1e-4).</summary>
    public TuckerOptions? Tucker { get; set; }

    /// <summary>Seed of the dense model's normal initialisation of everything but the FFNs (embeddings, attention, heads). Default 42.</summary>
    public long Seed { get; set; } = 42;

    /// <summary>How the fitted transformer pools token states into <see cref="OutputColumnName"/>. Default <see cref="FeaturePooling.Mean"/>.</summary>
    public FeaturePooling Pooling { get; set; } = FeaturePooling.Mean;

    /// <summary>Rows per forward pass when the fitted transformer transforms data. Default 32.</summary>
    public int TransformBatchSize { get; set; } = 32;

    /// <summary>A shallow copy (the nested options are immutable records).</summary>
    internal XpertInitializationOptions Clone() => (XpertInitializationOptions)MemberwiseClone();
}
