using Tcd.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Data;

/// <summary>
/// BERT masked-language-model corruption, vectorised with tensor ops. Among the maskable tokens of each row
/// (real tokens that are not <c>[PAD]</c>, <c>[CLS]</c>, <c>[SEP]</c>, <c>[MASK]</c> or <c>[UNK]</c>) a fraction
/// <see cref="MlmMaskingOptions.Probability"/> is selected; selected tokens become <c>[MASK]</c>, a random ordinary
/// token, or stay unchanged, per <see cref="MlmMaskingOptions"/>. Labels hold the original id at selected
/// positions and <see cref="BertBatch.IgnoreIndex"/> (-100) elsewhere.
/// </summary>
/// <remarks>
/// Every row that has a maskable token gets at least one target, as in BERT's original data script
/// (<c>max(1, round(n·p))</c> targets per sequence): if the draw selected none, its maskable token with the smallest
/// draw is selected. For 128-token segments that almost never happens (0.85^126); it raises the rate of short rows only.
/// Random numbers come from a CPU <see cref="Generator"/> seeded by the caller, so a seed gives the same masks on
/// every device; derive one seed per batch with <see cref="Runtime.Seeds.Combine"/> so each epoch gets fresh masks.
/// </remarks>
public sealed class MlmMasker
{
    private readonly MlmMaskingOptions _options;
    private readonly SpecialTokenIds _specialTokenIds;
    private readonly long[] _replacementIds;

    /// <summary>Creates a masker for an encoder's vocabulary (random replacements from its ordinary tokens).</summary>
    public MlmMasker(BertTextEncoder encoder, MlmMaskingOptions? options = null)
        : this((encoder ?? throw new ArgumentNullException(nameof(encoder))).SpecialTokenIds, encoder.OrdinaryTokenIds, options)
    {
    }

    /// <summary>Creates a masker from explicit special ids and the ids random replacements are drawn from.</summary>
    /// <param name="specialTokenIds">Special ids; these are never selected, and <c>[MASK]</c> is the replacement.</param>
    /// <param name="replacementIds">Ids to draw random replacement tokens from (uniformly); must not be empty.</param>
    /// <param name="options">Masking settings; null for BERT's defaults.</param>
    public MlmMasker(SpecialTokenIds specialTokenIds, IReadOnlyList<int> replacementIds, MlmMaskingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(specialTokenIds);
        ArgumentNullException.ThrowIfNull(replacementIds);
        if (replacementIds.Count == 0)
        {
            throw new ArgumentException("replacementIds must contain at least one token id to draw random replacements from.", nameof(replacementIds));
        }

        _options = options ?? new MlmMaskingOptions();
        _options.Validate();
        _specialTokenIds = specialTokenIds;
        _replacementIds = replacementIds.Select(id => (long)id).ToArray();
    }

    /// <summary>The masking settings in use.</summary>
    public MlmMaskingOptions Options => _options;

    /// <summary>The special tokens, never selected for masking.</summary>
    public SpecialTokenIds SpecialTokenIds => _specialTokenIds;

    /// <summary>
    /// Masks a batch of token ids. Returns new int64 tensors on the device of <paramref name="inputIds"/>:
    /// the corrupted ids and the labels (original id at selected positions, -100 elsewhere). Inputs are not changed.
    /// </summary>
    /// <param name="inputIds">Token ids [B, T] (any integer type).</param>
    /// <param name="attentionMask">1 for real tokens, 0 for padding [B, T]; padding is never selected.</param>
    /// <param name="seed">Seed of the random draws; the same seed and input give identical masks.</param>
    public (Tensor InputIds, Tensor Labels) Mask(Tensor inputIds, Tensor attentionMask, long seed)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (inputIds.dim() != 2 || !inputIds.shape.SequenceEqual(attentionMask.shape))
        {
            throw new ArgumentException(
                $"inputIds and attentionMask must both be [B, T]; got [{string.Join(", ", inputIds.shape)}] and " +
                $"[{string.Join(", ", attentionMask.shape)}].", nameof(attentionMask));
        }

        using var scope = NewDisposeScope();
        // All draws happen on the CPU so that a seed gives the same masks on every device. The device is named, not left
        // to TorchSharp's default device: a CPU generator cannot draw a CUDA tensor.
        using var generator = new Generator((ulong)seed, CPU);
        var shape = inputIds.shape;
        var draws = new Draws(
            rand(shape, device: CPU, generator: generator),
            rand(shape, device: CPU, generator: generator),
            randint(_replacementIds.Length, shape, device: CPU, generator: generator));
        var (corrupted, labels) = Corrupt(inputIds, attentionMask, draws);
        return (corrupted.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Masks a batch with one seed per row, drawing only over each row's real tokens, so a row's targets depend on its
    /// tokens and seed alone — not on the batch it shares or that batch's padded width. Evaluation uses this to score
    /// every model (and every batch size) on the same masked tokens. Returns a new batch as <see cref="Mask(BertBatch, long)"/> does.
    /// </summary>
    /// <param name="batch">The batch; <see cref="BertBatch.AttentionMask"/> marks the real tokens of each row.</param>
    /// <param name="rowSeeds">One seed per row of the batch.</param>
    public BertBatch MaskRows(BertBatch batch, IReadOnlyList<long> rowSeeds)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(rowSeeds);
        var rows = batch.AttentionMask.shape[0];
        if (rowSeeds.Count != rows)
        {
            throw new ArgumentException($"rowSeeds holds {rowSeeds.Count} seeds for a batch of {rows} rows; give one seed per row.", nameof(rowSeeds));
        }

        var (inputIds, labels) = MaskRows(batch.InputIds, batch.AttentionMask, rowSeeds);
        return new BertBatch(inputIds, batch.TokenTypeIds.alias(), batch.AttentionMask.alias(), labels, batch.TokenCount);
    }

    private (Tensor InputIds, Tensor Labels) MaskRows(Tensor inputIds, Tensor attentionMask, IReadOnlyList<long> rowSeeds)
    {
        using var scope = NewDisposeScope();
        var realTokens = attentionMask.ne(TorchScalars.Zero);
        var lengths = realTokens.sum(dim: 1).cpu().data<long>().ToArray();
        var selection = new List<Tensor>(lengths.Length);
        var action = new List<Tensor>(lengths.Length);
        var replacement = new List<Tensor>(lengths.Length);
        for (var row = 0; row < lengths.Length; row++)
        {
            using var generator = new Generator((ulong)rowSeeds[row], CPU);
            long[] rowShape = [lengths[row]];
            selection.Add(rand(rowShape, device: CPU, generator: generator));
            action.Add(rand(rowShape, device: CPU, generator: generator));
            replacement.Add(randint(_replacementIds.Length, rowShape, device: CPU, generator: generator));
        }

        // Each row's draws fill its real positions in order; padding gets values that never select or replace anything.
        var cpuRealTokens = realTokens.cpu();
        Tensor Spread(List<Tensor> rowDraws, Tensor padding) =>
            padding.expand(cpuRealTokens.shape).contiguous().masked_scatter(cpuRealTokens, cat(rowDraws));
        var draws = new Draws(
            Spread(selection, tensor(2f, device: CPU)),
            Spread(action, tensor(1f, device: CPU)),
            Spread(replacement, tensor(0L, device: CPU)));
        var (corrupted, labels) = Corrupt(inputIds, attentionMask, draws);
        return (corrupted.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    /// <summary>Selects and corrupts targets from CPU draws of the batch's shape; returns the corrupted ids and the labels.</summary>
    private (Tensor InputIds, Tensor Labels) Corrupt(Tensor inputIds, Tensor attentionMask, Draws draws)
    {
        var device = inputIds.device;
        var shape = inputIds.shape;
        var ids = inputIds.to(ScalarType.Int64);

        var maskable = attentionMask.ne(TorchScalars.Zero);
        foreach (var special in _specialTokenIds.All.Distinct())
        {
            using var specialId = special.ToScalar();
            maskable = maskable.logical_and(ids.ne(specialId));
        }

        var selectionDraw = draws.Selection.to(device);
        var actionDraw = draws.Action.to(device);
        var randomIds = tensor(_replacementIds, device: CPU).index_select(0, draws.ReplacementIndex.flatten()).view(shape).to(device);

        using var probability = _options.Probability.ToScalar();
        using var maskFraction = _options.MaskTokenFraction.ToScalar();
        using var maskOrRandomFraction = (_options.MaskTokenFraction + _options.RandomTokenFraction).ToScalar();
        var selected = maskable.logical_and(selectionDraw.lt(probability));
        selected = selected.logical_or(ForcedTargets(maskable, selected, selectionDraw));

        var toMask = selected.logical_and(actionDraw.lt(maskFraction));
        var toRandom = selected.logical_and(actionDraw.ge(maskFraction)).logical_and(actionDraw.lt(maskOrRandomFraction));

        // Scalars, not tensors made from host values: on CUDA each of those would make the host wait for the stream.
        using var maskId = _specialTokenIds.Mask.ToScalar();
        using var ignoreIndex = BertBatch.IgnoreIndex.ToScalar();
        var corrupted = where(toRandom, randomIds, ids.masked_fill(toMask, maskId));
        var labels = ids.masked_fill(selected.logical_not(), ignoreIndex);
        return (corrupted, labels);
    }

    /// <summary>
    /// Returns a new batch whose input ids are masked and whose <see cref="BertBatch.Labels"/> are set. The new
    /// batch holds its own handles (the token type ids and attention mask are aliases sharing storage), so both
    /// batches can be disposed independently.
    /// </summary>
    public BertBatch Mask(BertBatch batch, long seed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var (inputIds, labels) = Mask(batch.InputIds, batch.AttentionMask, seed);
        return new BertBatch(inputIds, batch.TokenTypeIds.alias(), batch.AttentionMask.alias(), labels, batch.TokenCount);
    }

    /// <summary>One extra target per row that has maskable tokens but no selected one: its smallest draw.</summary>
    private static Tensor ForcedTargets(Tensor maskable, Tensor selected, Tensor selectionDraw)
    {
        var needsTarget = maskable.any(dim: 1).logical_and(selected.any(dim: 1).logical_not());
        // Uniform draws lie in [0, 1): 2 is above every real candidate.
        var candidateDraw = selectionDraw.masked_fill(maskable.logical_not(), TorchScalars.Two);
        var position = candidateDraw.argmin(dim: 1);
        var forced = nn.functional.one_hot(position, (int)maskable.shape[1]).to(ScalarType.Bool);
        return forced.logical_and(needsTarget.unsqueeze(1));
    }

    /// <summary>The random draws of one masking: uniform selection and action draws, and replacement indices, all [B, T] on the CPU.</summary>
    private readonly record struct Draws(Tensor Selection, Tensor Action, Tensor ReplacementIndex);
}
