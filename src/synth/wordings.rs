//! Wordings with no content words in common, for the generator's `--wordings disjoint` mode:
//! each planted group states its goal in several wordings that share no content word, so only
//! a model of meaning (not shared words) can tell the group's members belong together.

/// Goal wordings of the three mass groups, in the order of `synth::MASS`.
pub const MASS_DISJOINT: [&[&str]; 3] = [
    // weekly family shop
    &[
        "the big weekly family shop brought to our door",
        "feeding hungry kids without dragging them round supermarkets",
        "keep a household of five stocked until next Saturday",
        "spare busy parents hours of trolley pushing",
        "plan seven days of dinners in one go",
        "fridge and cupboards full for everyone at home",
    ],
    // budget shop
    &[
        "lower the grocery bill",
        "spend less money each month",
        "hunt down bargains and discount codes",
        "stretch a tight budget",
        "cheapest prices on everyday basics",
        "make every penny count",
    ],
    // occasional top-up
    &[
        "grab milk and bread when we run out",
        "a handful of forgotten bits now and then",
        "quick top-up between main trips",
        "only a couple of things I missed",
        "rarely, just when the larder looks empty",
        "the odd tiny basket every so often",
    ],
];

/// Goal wordings of the six edge groups, in the order of `synth::EDGES`.
pub const EDGES_DISJOINT: [&[&str]; 6] = [
    // small business buying for the office
    &[
        "VAT invoices for the company",
        "receipts our bookkeeper can claim back",
        "staff kitchen coffee, tea and biscuits",
        "one business account everyone on the team can use",
        "office supplies charged to our cost centre",
        "cleaning products and loo roll for colleagues",
    ],
    // coeliac and allergy households
    &[
        "gluten free pasta I can trust",
        "coeliac safe options clearly labelled",
        "avoid cross contamination with wheat",
        "allergen details for my son's nut allergy",
        "a daughter who reacts badly to dairy",
        "ingredient lists I can read before buying",
    ],
    // shopping for an elderly relative
    &[
        "ensuring mum has enough now she's housebound",
        "dad lives alone miles away",
        "nan needs her essentials sent round",
        "an elderly relative who struggles to get out",
        "helping my ageing folks stay independent",
        "checking grandpa eats properly after his operation",
    ],
    // party and event hosts
    &[
        "catering for a fortieth birthday",
        "drinks and nibbles for fifty guests",
        "platters and prosecco for a wedding reception",
        "summer barbecue with the whole street",
        "hosting a christening celebration",
        "large quantities for a one-off event",
    ],
    // zero-waste shoppers
    &[
        "no plastic packaging at all",
        "refill my own jars",
        "sustainable choices that are kind to the earth",
        "loose fruit and veg instead of wrapped",
        "compostable bags or none",
        "less rubbish in the bin",
    ],
    // night-shift workers
    &[
        "working nights and resting in daylight",
        "delivery slots after midnight",
        "early morning drop-offs before bed",
        "I clock off at six a.m.",
        "shifts at the hospital overnight",
        "nobody ringing the bell while I sleep at noon",
    ],
];
