using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using Tcd.Models.Modeling;

namespace Tcd.Models.Data;

/// <summary>
/// BERT WordPiece text encoder: wraps <see cref="BertTokenizer"/> from Microsoft.ML.Tokenizers and adds BERT's
/// sequence layout (<c>[CLS] a [SEP] b [SEP]</c>), token type ids and longest-first truncation.
/// </summary>
/// <remarks>
/// <para>Text is normalised as <see cref="Settings"/> say (BERT uncased by default): BERT's text cleaning (see
/// <see cref="Tokenize"/>), lower-casing, accent stripping (NFD, non-spacing marks removed), one word per CJK
/// ideograph, then split on whitespace and punctuation as Google BERT's <c>BasicTokenizer</c> does (symbols such as <c>$</c> or emoji are kept,
/// not dropped).</para>
/// <para>Input handling: <c>null</c> text throws <see cref="ArgumentNullException"/>; empty or whitespace-only text
/// encodes to the special tokens only; text longer than the limit is truncated, never rejected; characters the
/// vocabulary lacks (many CJK characters, emoji) become word pieces or <c>[UNK]</c>, never an exception.
/// Literal special-token text such as <c>"[MASK]"</c> is tokenised as ordinary text (as Google's BERT data
/// pipeline does), so corpus text can never inject control tokens.</para>
/// <para>Instances are immutable and safe to share between threads.</para>
/// </remarks>
public sealed class BertTextEncoder
{
    /// <summary>Name of the embedded BERT uncased vocabulary resource in this assembly.</summary>
    internal const string UncasedVocabularyResource = "Tcd.Models.Resources.bert-base-uncased-vocab.txt";

    private readonly BertTokenizer _tokenizer;
    private readonly int[] _ordinaryTokenIds;
    private readonly string[] _vocabulary;

    /// <summary>Whether this is the embedded uncased tokenizer, which a model folder without tokenizer files stands for.</summary>
    private readonly bool isEmbeddedUncased;

    private static readonly string[] RequiredSpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    private BertTextEncoder(BertTokenizer tokenizer, IReadOnlyList<string> vocabulary, SpecialTokenIds specialTokenIds, BertTokenizerSettings settings, bool isEmbeddedUncased)
    {
        _tokenizer = tokenizer;
        this.isEmbeddedUncased = isEmbeddedUncased;
        Settings = settings;
        _vocabulary = vocabulary.ToArray();
        VocabularySize = vocabulary.Count;
        SpecialTokenIds = specialTokenIds;
        _ordinaryTokenIds = Enumerable.Range(0, vocabulary.Count).Where(i => !IsReservedToken(vocabulary[i])).ToArray();
    }

    /// <summary>The ids of <c>[PAD]</c>, <c>[UNK]</c>, <c>[CLS]</c>, <c>[SEP]</c> and <c>[MASK]</c> in this vocabulary.</summary>
    public SpecialTokenIds SpecialTokenIds { get; }

    /// <summary>Number of entries in the vocabulary (30522 for BERT uncased); the size of a model's embedding table.</summary>
    public int VocabularySize { get; }

    /// <summary>
    /// Ids of every ordinary word piece: all vocabulary entries except bracketed tokens such as <c>[PAD]</c>,
    /// <c>[CLS]</c> or <c>[unused7]</c>. Masked-LM random replacements are drawn from these.
    /// </summary>
    public IReadOnlyList<int> OrdinaryTokenIds => _ordinaryTokenIds;

    /// <summary>The vocabulary, token text by id, e.g. to write a <c>vocab.txt</c> beside a saved model.</summary>
    public IReadOnlyList<string> Vocabulary => _vocabulary;

    /// <summary>The text of this vocabulary's <c>vocab.txt</c>: a token per line, ended by <c>'\n'</c> on every platform, as Hugging Face writes it.</summary>
    public string VocabularyFileText => ToVocabularyFileText(_vocabulary);

    /// <summary>How text is normalised before WordPiece (lower-casing, accent stripping, CJK splitting).</summary>
    public BertTokenizerSettings Settings { get; }

    /// <summary>The file name of a model folder's own WordPiece vocabulary (as in Hugging Face checkpoints).</summary>
    public const string VocabularyFileName = "vocab.txt";

    /// <summary>
    /// The files of a model folder that make up its own tokenizer: <see cref="VocabularyFileName"/> and
    /// <see cref="BertTokenizerSettings.FileName"/>.
    /// </summary>
    public static IReadOnlyList<string> TokenizerFileNames { get; } = [VocabularyFileName, BertTokenizerSettings.FileName];

    /// <summary>
    /// The tokeniser of a saved model (or of a Hugging Face checkpoint folder): the folder's <c>vocab.txt</c> with the
    /// settings of its <c>tokenizer_config.json</c> (uncased when it has none) when it has a vocabulary, as an imported
    /// model does; else the embedded BERT uncased vocabulary that Tcd models are trained with. The tokeniser must have
    /// one token per row of the model's embeddings (<c>vocab_size</c> of the folder's <c>config.json</c>, ours or
    /// Hugging Face's): a vocabulary of another model would give wrong ids without any error.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The vocabulary or the settings file is malformed, or the tokeniser's size differs from the model's <c>vocab_size</c>.
    /// </exception>
    public static BertTextEncoder ForModelFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The model folder '{folder}' does not exist.");
        }

        var vocabulary = Path.Combine(folder, VocabularyFileName);
        var encoder = File.Exists(vocabulary) ? FromVocabularyFile(vocabulary, BertTokenizerSettings.ForFolder(folder)) : CreateUncased();
        if (ModelVocabularySize(folder) is { } size && size != encoder.VocabularySize)
        {
            throw new InvalidDataException(File.Exists(vocabulary)
                ? $"'{vocabulary}' has {encoder.VocabularySize} tokens but the model in '{folder}' has {size} (vocab_size): the vocabulary belongs to another model. Put the model's own {VocabularyFileName} beside it."
                : $"The model in '{folder}' has {size} tokens (vocab_size) but no {VocabularyFileName}, so the built-in {encoder.VocabularySize}-token BERT uncased vocabulary does not fit it. Put the model's own {VocabularyFileName} beside it.");
        }

        return encoder;
    }

    /// <summary>The <c>vocab_size</c> of a folder's <c>config.json</c> (the key is the same in ours and Hugging Face's), or null without one.</summary>
    private static int? ModelVocabularySize(string folder)
    {
        var config = Path.Combine(folder, BertModelStore.ConfigFileName);
        if (!File.Exists(config))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(config))?["vocab_size"] is JsonValue value && value.TryGetValue<int>(out var size) ? size : null;
        }
        catch (JsonException)
        {
            // A damaged config.json is reported by whatever loads the model, with its own message.
            return null;
        }
    }

    /// <summary>
    /// Writes this tokenizer into a model folder, so that <see cref="ForModelFolder"/> reads it back: its
    /// <see cref="VocabularyFileName"/> and <see cref="BertTokenizerSettings.FileName"/>, or, for the embedded uncased
    /// tokenizer every folder without them means, neither (deleting any there). Whatever saves a model trained or
    /// derived with this encoder (a checkpoint, a fine-tuned, distilled, imported or XPERT model) calls it after
    /// saving, so the model keeps the vocabulary and settings it was trained with, and a folder written over an
    /// earlier model keeps none of that model's files.
    /// </summary>
    /// <param name="folder">The model folder; must exist.</param>
    public void SaveTokenizerFiles(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (isEmbeddedUncased)
        {
            foreach (var name in TokenizerFileNames)
            {
                File.Delete(Path.Combine(folder, name));
            }

            return;
        }

        File.WriteAllText(Path.Combine(folder, VocabularyFileName), VocabularyFileText);
        File.WriteAllText(Path.Combine(folder, BertTokenizerSettings.FileName), Settings.ToJson());
    }

    /// <summary>Creates an encoder for the BERT-base uncased vocabulary embedded in this assembly (no download).</summary>
    public static BertTextEncoder CreateUncased()
    {
        using var stream = typeof(BertTextEncoder).Assembly.GetManifestResourceStream(UncasedVocabularyResource)
            ?? throw new InvalidOperationException(
                $"The embedded resource '{UncasedVocabularyResource}' is missing from {typeof(BertTextEncoder).Assembly.GetName().Name}. " +
                "Rebuild Tcd.Models; the vocabulary is src/Tcd.Models/Resources/bert-base-uncased-vocab.txt.");
        return FromStream(stream, $"embedded resource '{UncasedVocabularyResource}'", BertTokenizerSettings.Uncased, isEmbeddedUncased: true);
    }

    /// <summary>
    /// Creates an encoder from a WordPiece vocabulary file (UTF-8, one token per line, id = line number; LF or CRLF).
    /// A token on several lines takes the id of the last, as Hugging Face's tokenizers read such a file.
    /// </summary>
    /// <param name="path">Path of the vocabulary file, e.g. a Hugging Face <c>vocab.txt</c>.</param>
    /// <param name="settings">How text is normalised; default <see cref="BertTokenizerSettings.Uncased"/>. A cased vocabulary needs <see cref="BertTokenizerSettings.Cased"/>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is empty, is not UTF-8 text, or lacks one of the special tokens.</exception>
    public static BertTextEncoder FromVocabularyFile(string path, BertTokenizerSettings? settings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The vocabulary file '{path}' does not exist. Pass the path of a BERT WordPiece vocab.txt " +
                "(one token per line), or use BertTextEncoder.CreateUncased() for the embedded BERT uncased vocabulary.", path);
        }

        using var stream = File.OpenRead(path);
        return FromStream(stream, $"vocabulary file '{path}'", settings ?? BertTokenizerSettings.Uncased);
    }

    /// <summary>
    /// Tokenises text into WordPiece ids without any special tokens, e.g. for packing a corpus into segments.
    /// Empty or whitespace-only text gives an empty list. Text is cleaned as BERT cleans it first: tab, newline and
    /// carriage return separate words like a space; other control and format characters (such as U+200B zero-width
    /// space or U+00AD soft hyphen), private-use and unassigned code points, U+0000 and U+FFFD are dropped, and so is a
    /// lone UTF-16 surrogate (a string cut inside an emoji).
    /// </summary>
    /// <param name="text">The text; must not be null.</param>
    public IReadOnlyList<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(CleanedLikeBert(text), addSpecialTokens: false);
    }

    /// <summary>
    /// True when <paramref name="text"/> gives no word pieces (<see cref="Tokenize"/> returns none): null, empty or
    /// whitespace, and also text of nothing but the characters BERT drops, such as U+200B zero-width space or a control
    /// character, or, for an uncased model, combining accents alone. Such text encodes as <c>[CLS] [SEP]</c> like empty
    /// text, so training skips it as blank.
    /// </summary>
    public bool IsBlank([NotNullWhen(false)] string? text) =>
        text is null || (!HasCharacterBertKeeps(text) && Tokenize(text).Count == 0);

    /// <summary>
    /// True when <paramref name="text"/> holds a character that always gives a word piece or <c>[UNK]</c>: printable
    /// ASCII other than the space, or a letter or digit of any script (BERT's cleaning drops only control, format,
    /// private-use and unassigned characters, and accent stripping leaves a letter's base), so that nearly all text, CJK
    /// and Greek included, is judged without being tokenised once more.
    /// </summary>
    private static bool HasCharacterBertKeeps(ReadOnlySpan<char> text)
    {
        foreach (var character in text)
        {
            if (character is > ' ' and <= '~' || char.IsLetterOrDigit(character))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// BERT's text cleaning (Google's <c>_clean_text</c>, Hugging Face's <c>BertNormalizer(clean_text=True)</c>), done
    /// here because Microsoft.ML.Tokenizers' differs twice: it deletes tab, newline and carriage return as control
    /// characters, gluing the words around them into one, and it keeps format characters (category Cf), which turn
    /// their word into <c>[UNK]</c>. Lone surrogates must go before the tokenizer sees them as well: its normalisation
    /// throws on one, and one cut string would otherwise fail a whole fit or transform (Python's strings hold code
    /// points, so Hugging Face never meets one).
    /// </summary>
    internal static string CleanedLikeBert(string text)
    {
        if (text.AsSpan().IndexOfAnyExceptInRange(' ', '~') < 0)
        {
            return text;
        }

        var cleaned = new StringBuilder(text.Length);
        Span<char> encoded = stackalloc char[2];
        for (var rest = text.AsSpan(); !rest.IsEmpty;)
        {
            // An invalid sequence decodes as the replacement character, one char at a time, and is dropped with it.
            Rune.DecodeFromUtf16(rest, out var rune, out var consumed);
            rest = rest[consumed..];
            if (rune.Value is '\t' or '\n' or '\r')
            {
                cleaned.Append(' ');
            }
            else if (rune != Rune.ReplacementChar && !IsOtherCategory(Rune.GetUnicodeCategory(rune)))
            {
                cleaned.Append(encoded[..rune.EncodeToUtf16(encoded)]);
            }
        }

        return cleaned.ToString();
    }

    /// <summary>Unicode's "C" categories, which BERT treats as control characters (U+0000 among them).</summary>
    private static bool IsOtherCategory(UnicodeCategory category) =>
        category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    /// <summary>
    /// Encodes one text, or a text pair, as a BERT input: <c>[CLS] a [SEP]</c> or <c>[CLS] a [SEP] b [SEP]</c>.
    /// </summary>
    /// <param name="text">First segment; must not be null. Empty or whitespace-only text gives no word pieces.</param>
    /// <param name="pair">Optional second segment (token type 1); null for a single sequence.</param>
    /// <param name="maxSequenceLength">
    /// Maximum total length including special tokens (at least 2, or 3 with a pair). Longer inputs are truncated
    /// longest-first: one token at a time is removed from the end of the currently longer segment (the second one
    /// on a tie), as Hugging Face's <c>longest_first</c> strategy does.
    /// </param>
    public EncodedText Encode(string text, string? pair = null, int maxSequenceLength = 128)
    {
        ArgumentNullException.ThrowIfNull(text);
        var specialCount = pair is null ? 2 : 3;
        if (maxSequenceLength < specialCount)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSequenceLength), maxSequenceLength,
                $"maxSequenceLength must be at least {specialCount} to hold the special tokens of a {(pair is null ? "single text" : "text pair")}.");
        }

        var first = Tokenize(text).ToArray();
        var second = pair is null ? [] : Tokenize(pair).ToArray();
        var (firstLength, secondLength) = LongestFirstLengths(first.Length, second.Length, maxSequenceLength - specialCount);

        var total = firstLength + secondLength + specialCount;
        var inputIds = new int[total];
        var tokenTypeIds = new int[total];
        var ids = SpecialTokenIds;
        inputIds[0] = ids.Cls;
        Array.Copy(first, 0, inputIds, 1, firstLength);
        inputIds[firstLength + 1] = ids.Sep;
        if (pair is not null)
        {
            var secondStart = firstLength + 2;
            Array.Copy(second, 0, inputIds, secondStart, secondLength);
            inputIds[total - 1] = ids.Sep;
            Array.Fill(tokenTypeIds, 1, secondStart, total - secondStart);
        }

        return new EncodedText(inputIds, tokenTypeIds);
    }

    /// <summary>
    /// Lengths that longest-first truncation leaves: while the sum exceeds <paramref name="budget"/>, remove one
    /// token from the longer sequence (the second on a tie). Computed in closed form.
    /// </summary>
    internal static (int First, int Second) LongestFirstLengths(int first, int second, int budget)
    {
        if (first + second <= budget)
        {
            return (first, second);
        }

        var shorter = Math.Min(first, second);
        if (budget - shorter >= shorter)
        {
            // Only the longer sequence is cut; it still ends at least as long as the shorter one.
            return first > second ? (budget - shorter, second) : (first, budget - shorter);
        }

        // Both are cut down to equal length, then alternately second, first, ...: the first keeps the odd token.
        return ((budget + 1) / 2, budget / 2);
    }

    /// <summary>
    /// True when this encoder and <paramref name="other"/> turn every text into the same ids: the same vocabulary and
    /// the same <see cref="Settings"/>.
    /// </summary>
    public bool EncodesLike(BertTextEncoder other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ReferenceEquals(this, other) || (Settings == other.Settings && _vocabulary.AsSpan().SequenceEqual(other._vocabulary));
    }

    private static string ToVocabularyFileText(IEnumerable<string> tokens) => string.Join('\n', tokens) + "\n";

    private static BertTextEncoder FromStream(Stream stream, string source, BertTokenizerSettings settings, bool isEmbeddedUncased = false)
    {
        var vocabulary = ReadVocabulary(stream, source);
        var tokenIds = IdsByToken(vocabulary);
        // BertTokenizer.Create looks the special tokens up itself and fails with a bare KeyNotFoundException, so
        // they are checked first.
        var specialTokenIds = FindSpecialTokens(tokenIds, source);
        using var vocabularyStream = new MemoryStream(Encoding.UTF8.GetBytes(ToVocabularyFileText(WithoutShadowedDuplicates(vocabulary, tokenIds))));
        var tokenizer = BertTokenizer.Create(vocabularyStream, new BertOptions
        {
            LowerCaseBeforeTokenization = settings.LowerCase,
            ApplyBasicTokenization = true,
            RemoveNonSpacingMarks = settings.StripAccents,
            IndividuallyTokenizeCjk = settings.TokenizeChineseCharacters,
            SplitOnSpecialTokens = false,
            PreTokenizer = BertBasicPreTokenizer.Instance,
        });
        return new BertTextEncoder(tokenizer, vocabulary, specialTokenIds, settings, isEmbeddedUncased);
    }

    private static List<string> ReadVocabulary(Stream stream, string source)
    {
        var vocabulary = new List<string>();
        using var reader = new TextLineReader(stream, (line, reason) => new InvalidDataException($"The {source} is not UTF-8 text: line {line} {reason}"));
        while (reader.ReadLine() is { } line)
        {
            vocabulary.Add(line);
        }

        // A trailing empty line is only the file's final newline artefact, never a token.
        while (vocabulary.Count > 0 && vocabulary[^1].Length == 0)
        {
            vocabulary.RemoveAt(vocabulary.Count - 1);
        }

        if (vocabulary.Count == 0)
        {
            throw new InvalidDataException(
                $"The {source} is empty. A BERT vocabulary has one WordPiece token per line (30522 lines for BERT uncased).");
        }

        return vocabulary;
    }

    /// <summary>
    /// The id of each token: its line, or the last of its lines where a vocabulary repeats it, as Hugging Face's
    /// tokenizers read such a file (the ids of imported models must be theirs).
    /// </summary>
    private static Dictionary<string, int> IdsByToken(IReadOnlyList<string> vocabulary)
    {
        var ids = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (var i = 0; i < vocabulary.Count; i++)
        {
            ids[vocabulary[i]] = i;
        }

        return ids;
    }

    /// <summary>
    /// The vocabulary with every line that a later repetition of its token shadows renamed to text no word piece can
    /// be (it holds spaces), keeping the ids of the rest: BertTokenizer.Create refuses a repeated token with a bare
    /// ArgumentException.
    /// </summary>
    private static IReadOnlyList<string> WithoutShadowedDuplicates(IReadOnlyList<string> vocabulary, Dictionary<string, int> ids) =>
        ids.Count == vocabulary.Count
            ? vocabulary
            : vocabulary.Select((token, id) => ids[token] == id ? token : $"[line {id + 1}: {token} again on line {ids[token] + 1}]").ToList();

    private static SpecialTokenIds FindSpecialTokens(Dictionary<string, int> ids, string source)
    {
        var missing = RequiredSpecialTokens.Where(token => !ids.ContainsKey(token)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"The {source} has no {string.Join(", ", missing)} line{(missing.Count == 1 ? "" : "s")}. A BERT vocabulary must contain " +
                "[PAD], [UNK], [CLS], [SEP] and [MASK], one per line; use the vocab.txt the model was trained with.");
        }

        return new SpecialTokenIds(Pad: ids["[PAD]"], Unk: ids["[UNK]"], Cls: ids["[CLS]"], Sep: ids["[SEP]"], Mask: ids["[MASK]"]);
    }

    private static bool IsReservedToken(string token) =>
        token.Length >= 2 && token[0] == '[' && token[^1] == ']';
}
