namespace Tcd.Models.Training;

/// <summary>Where a pre-training run is in its data: the epoch and the next batch of that epoch.</summary>
/// <param name="Epoch">0-based pass over the corpus.</param>
/// <param name="BatchInEpoch">0-based index of the next batch within the epoch.</param>
internal readonly record struct PretrainingDataPosition(int Epoch, long BatchInEpoch);
