namespace Tcd.Models.Xpert;

/// <summary>Which experts <see cref="CommonExpertSelector"/> keeps in each layer.</summary>
public enum CommonExpertSelectionMode
{
    /// <summary>The <see cref="CommonExpertSelectionOptions.TopK"/> best-scoring experts (fewer if fewer are active in every domain).</summary>
    TopK,

    /// <summary>Every expert whose frequency reaches <see cref="CommonExpertSelectionOptions.Threshold"/> in every domain.</summary>
    Threshold,
}
