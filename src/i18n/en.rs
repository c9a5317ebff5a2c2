//! English: the app's first language, and the model for every other one.

use super::{Catalog, Plural, PostageText, PostageWords, Text, WaitUnit};
use crate::error::{AppError, UpstreamProblem};
use crate::fields::FieldProblem;
use crate::fields::card::CardBrand;

pub struct Words;

impl Catalog for Words {
    fn text(&self, text: Text) -> &str {
        match text {
            Text::PageTitle => "Open your Stamps.com account",
            Text::MetaDescription => {
                "Open the free Stamps.com account that comes with your ShipEngine account, for \
                 discounted USPS postage: one form, then a code sent to your phone."
            }
            Text::SkipToMainContent => "Skip to main content",
            Text::DemoMode => "Demo mode",
            Text::DemoModeCodeIs => " \u{2014} no real account is created; the code is ",
            Text::Brand => "stamps-connect",
            Text::StepsLabel => "Progress",
            Text::StepYourDetails => "Your details",
            Text::StepConfirmPhone => "Confirm your phone",
            Text::StepDone => "Done",
            Text::NotFoundTitle => "Page not found",
            Text::NotFoundBody => "This page does not exist.",
            Text::NotFoundLink => "Go to the start page",
            Text::TryAgainTitle => "Something went wrong on our side",
            Text::TryAgainBody => {
                "We could not load your details just now. Please try again in a moment."
            }
            Text::TryAgainLink => "Try again",
            Text::LanguageSwitchLabel => "Language",
            Text::LanguageName => "English",

            Text::ErrorPrefix => "Error: ",
            Text::Optional => " (optional)",
            Text::SummaryTitle => "There is a problem",
            Text::ReferenceForSupport => "Reference for support: ",

            Text::RegisterTitle => "Open your free Stamps.com account",
            Text::RegisterLede => {
                "Print discounted USPS postage from your ShipEngine account. This takes about two \
                 minutes: this form, then a code we text to your phone."
            }
            Text::YourAccountLegend => "Your account",
            Text::NicknameLabel => "Account nickname",
            Text::NicknameHint => "A name you will recognise, like \u{201c}Main store\u{201d}",
            Text::EmailLabel => "Email address",
            Text::EmailHint => "Stamps.com sends account emails here",
            Text::YourAddressLegend => "Your address",
            Text::AddressHint => "The address you ship from. Stamps.com is for US addresses only.",
            Text::NameLabel => "Full name",
            Text::CompanyNameLabel => "Business name",
            Text::PhoneLabel => "Phone number",
            Text::PhoneHint => {
                "A US mobile number, like (512) 111-2222. We text a code to it next."
            }
            Text::AddressLine1Label => "Address line 1",
            Text::AddressLine2Label => "Address line 2",
            Text::CityLabel => "City",
            Text::StateLabel => "State",
            Text::StateNotChosen => "Select a state",
            Text::PostalCodeLabel => "ZIP code",
            Text::CountryLabel => "Country",
            Text::CountryUnitedStates => "United States",
            Text::ResidentialLegend => "Is this a home address?",
            Text::ResidentialYes => "Yes, it is a home",
            Text::ResidentialNo => "No, it is a business",
            Text::CardLegend => "Card for postage",
            Text::CardHint => {
                "Stamps.com charges postage to this card. We pass it straight to Stamps.com and \
                 never keep it."
            }
            Text::CardNameLabel => "Name on card",
            Text::CardCleared => {
                "For your security we never keep card numbers, so please enter it again."
            }
            Text::CardNumberLabel => "Card number",
            Text::CardNumberHint => "Visa, Mastercard, American Express or Discover",
            Text::ExpiryLegend => "Expiry date",
            Text::ExpiryHint => "As on the card, for example 07 2030",
            Text::ExpiryMonthLabel => "Month",
            Text::ExpiryYearLabel => "Year",
            Text::TermsAgree => "I agree to the ",
            Text::TermsLink => "Stamps.com terms and conditions (opens in a new tab)",
            Text::RegisterButton => "Open my Stamps.com account",
            Text::RegisterBusy => "Opening your account\u{2026}",

            Text::VerifyTitle => "Confirm your phone number",
            Text::MobilePhoneLabel => "Mobile phone number",
            Text::MobilePhoneHint => "A US number that can receive text messages",
            Text::SendCode => "Send code",
            Text::SendCodeToThisNumber => "Send code to this number",
            Text::SendingBusy => "Sending\u{2026}",
            Text::CodeSentTo => "We sent a code to ",
            Text::CodeSentToEnd => ".",
            Text::CodeLabel => "Code from the text message",
            Text::CodeHint => "It can take a minute to arrive",
            Text::VerifyButton => "Verify",
            Text::VerifyBusy => "Checking\u{2026}",
            Text::NoTextYet => "No text after a minute?",
            Text::SendNewCode => "Send a new code",
            Text::UseDifferentNumber => "Use a different phone number",

            Text::DoneTitle => "Your Stamps.com account is ready",
            Text::DoneLede => {
                "It is verified and linked to ShipEngine. You can print USPS postage now."
            }
            Text::DoneNickname => "Account nickname",
            Text::DoneCarrierId => "Carrier ID",
            Text::DoneStatus => "Status",
            Text::DoneVerified => "Verified",
            Text::DoneReturnToPlatform => "Go back to your platform",

            Text::LinkSpentTitle => "This link can no longer be used",
            Text::LinkSpentBody => {
                "A link to open your Stamps.com account works once, for a limited time. Please go \
                 back to the platform you came from and open the link again: it gives you a new one."
            }
            Text::LinkUnknownTitle => "This link is not valid",
            Text::LinkUnknownBody => {
                "Please go back to the platform you came from and open the link again."
            }
            Text::StartFromPlatformTitle => "Please start from your platform",
            Text::StartFromPlatformBody => {
                "To open your Stamps.com account, go to the platform you sell on and follow its \
                 link to this page."
            }

            Text::AddressSuggestionTitle => "We found this address in USPS records",
            Text::AddressSuggestionLede => {
                "USPS writes your address a little differently. Choose the one to use for your \
                 account."
            }
            Text::AddressUseUsps => "Use the USPS address",
            Text::AddressUseTyped => "Use the address as I typed it",
            Text::AddressDifferencesMarked => "The marked parts differ from what you typed.",
            Text::AddressUnconfirmedTitle => "USPS could not confirm this address",
            Text::AddressUnconfirmedLede => {
                "Check the highlighted fields. USPS records can miss new addresses: if yours is \
                 right as typed, tick the box below to go on."
            }
            Text::AddressSure => "I\u{2019}m sure this address is right",
            Text::ConnectChoice => "Already have a Stamps.com account?",
            Text::ConnectChoiceLink => "Connect it instead",
            Text::ConnectTitle => "Connect your Stamps.com account",
            Text::ConnectLede => {
                "Sign in with the Stamps.com username and password you already use, and we link \
                 that account to ShipEngine."
            }
            Text::ConnectUsernameLabel => "Stamps.com username",
            Text::ConnectPasswordLabel => "Stamps.com password",
            Text::ConnectPasswordHint => {
                "We pass it straight to Stamps.com and never keep it."
            }
            Text::ConnectButton => "Connect my account",
            Text::ConnectOpenInstead => "No account yet? Open a free one",

            Text::ManageOnStamps => "Manage on Stamps.com",
            Text::ManageTitle => "Manage your Stamps.com account",
            Text::ManageLede => {
                "Each link signs you in to Stamps.com for a short time: open it from this page."
            }
            Text::ManageChangeCard => "Change your card",
            Text::ManageAccountSettings => "Account settings",
            Text::ManageBalanceReports => "Balance reports",
            Text::OpensInNewTab => "(opens in a new tab)",
            Text::ManageUnavailable => {
                "We could not get the links to your Stamps.com account just now. Please try \
                 again in a moment."
            }
            Text::ManageBack => "Back to your account",
            Text::DoneBalance => "Postage balance",
            Text::DoneBalanceUnavailable => "Not available right now",
            Text::DoneAddPostage => "Add postage",
        }
    }

    fn field_problem_template(&self, problem: FieldProblem) -> &str {
        match problem {
            FieldProblem::Hidden => "Remove the hidden or control characters from this field",
            FieldProblem::TooLong { .. } => "Enter {max} characters or fewer",
            FieldProblem::NicknameMissing => "Enter a name for this account",
            FieldProblem::NameMissing => "Enter your full name",
            FieldProblem::AddressLine1Missing => "Enter the first line of your address",
            FieldProblem::CityMissing => "Enter your city",
            FieldProblem::CardNameMissing => "Enter the name on your card",
            FieldProblem::EmailMissing => "Enter your email address",
            FieldProblem::EmailInvalid => "Enter an email address like name@example.com",
            FieldProblem::EmailTooLong => "Your email address must be 254 characters or fewer",
            FieldProblem::PhoneMissing => "Enter your phone number",
            FieldProblem::PhoneInvalid => "Enter a US phone number, like (512) 555-0123",
            FieldProblem::ZipMissing => "Enter your ZIP code",
            FieldProblem::ZipInvalid => "Enter a ZIP code like 78756 or 78756-3717",
            FieldProblem::StateMissing => "Select your state",
            FieldProblem::ResidentialMissing => "Say whether this is a home address",
            FieldProblem::CardNumberMissing => "Enter your card number",
            FieldProblem::CardNumberNotDigits => {
                "Your card number can only include digits, spaces and dashes"
            }
            FieldProblem::CardNumberIncomplete => "Your card number is incomplete",
            FieldProblem::CardBrandNotAccepted => {
                "We accept Visa, Mastercard, American Express and Discover"
            }
            FieldProblem::CardNumberWrongLength(brand) => match brand {
                CardBrand::Visa => "A Visa card number has 13, 16 or 19 digits",
                CardBrand::Mastercard => "A Mastercard number has 16 digits",
                CardBrand::Amex => "An American Express card number has 15 digits",
                CardBrand::Discover => "A Discover card number has 16 to 19 digits",
            },
            FieldProblem::CardNumberTypo => "Check your card number: it has a typo",
            FieldProblem::ExpiryMonthMissing => "Enter the expiry month",
            FieldProblem::ExpiryMonthInvalid => "Enter the expiry month as a number from 1 to 12",
            FieldProblem::ExpiryYearMissing => "Enter the expiry year",
            FieldProblem::ExpiryYearInvalid => {
                "Enter the expiry year as 2 or 4 digits, like 31 or 2031"
            }
            FieldProblem::CardExpired => "Your card has expired",
            FieldProblem::ExpiryTooFarAhead => {
                "Check the expiry year: it is more than 20 years away"
            }
            FieldProblem::TermsNotAccepted => "Agree to the Stamps.com terms to open the account",
            FieldProblem::CodeMissing => "Enter the code from the text message",
            FieldProblem::CodeNotDigits => "The code is made of numbers only",
            FieldProblem::CodeWrongLength => {
                "Enter the code exactly as it appears in the text message"
            }
            FieldProblem::CodeWrong => {
                "That code is not right. Check the text message and try again, or send a new \
                 code."
            }
            FieldProblem::UpstreamRequired => "This is required",
            FieldProblem::UpstreamLength => "This is too long or too short",
            FieldProblem::UpstreamRefused => {
                "ShipEngine did not accept this. Check it and try again"
            }
            FieldProblem::UspsAddressNotFound => {
                "USPS has no record of this address. Check the street and number"
            }
            FieldProblem::UspsZipUnknown => "USPS does not recognise this ZIP code. Check it",
            FieldProblem::UspsAddressUnconfirmed => {
                "USPS could not confirm this address. Check it"
            }
            FieldProblem::UsernameMissing => "Enter your Stamps.com username",
            FieldProblem::PasswordMissing => "Enter your Stamps.com password",
            FieldProblem::AmountNotChosen => "Choose an amount to add",
            FieldProblem::AmountMissing => "Enter the amount to add",
            FieldProblem::AmountInvalid => "Enter an amount in dollars and cents, like 35 or 35.50",
            FieldProblem::AmountTooSmall => "Enter at least $10.00",
            FieldProblem::AmountTooLarge { .. } => "Enter {max} or less",
        }
    }

    fn upstream_problem(&self, problem: UpstreamProblem) -> &str {
        match problem {
            UpstreamProblem::DetailsRefused => {
                "ShipEngine could not accept these details. Check them and try again, or contact \
                 support with the reference below."
            }
            UpstreamProblem::NotSetUp => {
                "This service is not set up correctly, so we could not open your account. Please \
                 contact the site's support team."
            }
            UpstreamProblem::RegistrationUnknown => {
                "ShipEngine no longer knows this registration. Please start again."
            }
            UpstreamProblem::Unreachable => {
                "We could not reach ShipEngine just now. Your details are still here: please try \
                 again in a moment."
            }
            UpstreamProblem::NoAnswer => {
                "ShipEngine did not answer in time. Please wait a minute, then try again."
            }
            UpstreamProblem::Trouble => {
                "ShipEngine is having trouble right now. Your details are still here: please try \
                 again in a few minutes."
            }
            UpstreamProblem::RegistrationRefused => {
                "ShipEngine did not open the account with these details. Check them, then send \
                 the form again."
            }
            UpstreamProblem::CodeExpired => {
                "This code has expired. Send a new code and enter that one."
            }
            UpstreamProblem::StampsLoginRefused => {
                "Stamps.com did not accept this username and password. Check them and try again."
            }
            UpstreamProblem::StampsAccountLocked => {
                "Stamps.com has locked this account. Please contact Stamps.com to unlock it, then \
                 try again."
            }
            UpstreamProblem::StampsAlreadyConnected => {
                "This Stamps.com account is already connected to ShipEngine, through this \
                 platform or another. To use it here, please contact your platform's support."
            }
            UpstreamProblem::ConnectionUnknown => {
                "We sent your login to ShipEngine but did not get an answer, so we cannot tell \
                 whether your Stamps.com account was connected. Please do not try again: contact \
                 support with the reference below, and they will check and finish it for you."
            }
        }
    }

    fn error_template(&self, error: &AppError) -> &str {
        match error {
            AppError::Invalid(_) => {
                "There is a problem with the details you entered. Check the highlighted fields."
            }
            AppError::Upstream { problem, .. } => self.upstream_problem(*problem),
            AppError::OutcomeUnknown { .. } => {
                "We sent your details to ShipEngine but did not get an answer, so we cannot tell \
                 whether your Stamps.com account was opened. Please do not enter your card again: \
                 contact support with the reference below, and they will check and finish it for \
                 you."
            }
            AppError::RegistrationInProgress => {
                "We are still opening your account. Please wait a minute, then reload this page. \
                 Do not enter your card again."
            }
            AppError::SentFromAnotherBrowser => {
                "This form was already sent from another browser, or with cookies turned off. If \
                 you started opening your account there, finish it there. Otherwise allow cookies \
                 for this site, then reload this page."
            }
            AppError::RateLimited { .. } => "Too many attempts. Please try again in {wait}.",
            AppError::TooManyWrongCodes => {
                "That was too many wrong codes. Send a new code, then enter the new one."
            }
            AppError::BadRequest => "We could not read that request. Please try again.",
            AppError::TooLarge => {
                "That request is too large. Please shorten what you entered and try again."
            }
            AppError::CrossSite => {
                "This request came from another website, so we refused it. Open this page \
                 directly and try again."
            }
            AppError::LinkRequired => {
                "Please start from the platform you sell on: follow its link to this page."
            }
            AppError::Internal { .. } => {
                "Something went wrong on our side. Please try again in a moment."
            }
            AppError::Unreachable => {
                "We could not reach our server. Check your internet connection, then try again."
            }
        }
    }

    fn wait_template(&self, unit: WaitUnit, plural: Plural) -> &str {
        match (unit, plural) {
            (WaitUnit::Second, Plural::One) => "{count} second",
            (WaitUnit::Second, Plural::Other) => "{count} seconds",
            (WaitUnit::Minute, Plural::One) => "{count} minute",
            (WaitUnit::Minute, Plural::Other) => "{count} minutes",
            (WaitUnit::Hour, Plural::One) => "{count} hour",
            (WaitUnit::Hour, Plural::Other) => "{count} hours",
        }
    }

    fn resend_in_template(&self) -> &str {
        "You can send a new code in {wait}."
    }

    fn card_of_brand_template(&self) -> &str {
        "{brand} card"
    }

    fn registered_lede_template(&self) -> &str {
        "Your Stamps.com account \u{201c}{nickname}\u{201d} is registered. To finish, we text a \
         code to your phone."
    }

}

impl PostageWords for Words {
    fn postage(&self, text: PostageText) -> &'static str {
        match text {
            PostageText::AmountTitle => "Add postage",
            PostageText::AmountLede => {
                "Postage is paid from your Stamps.com balance. Choose an amount to add: the card \
                 on your Stamps.com account is charged once you confirm."
            }
            PostageText::CurrentBalance => "Current balance",
            PostageText::AmountLegend => "Amount to add",
            PostageText::OtherAmount => "Other amount",
            PostageText::OtherAmountLabel => "Amount in US dollars",
            PostageText::ContinueButton => "Continue",
            PostageText::BackToAccount => "Back to your account",
            PostageText::ConfirmTitle => "Confirm the charge",
            PostageText::AmountLabel => "Amount",
            PostageText::ConfirmButton => "Confirm and add postage",
            PostageText::ChangeAmount => "Change amount",
            PostageText::ChargingTitle => "Adding postage\u{2026}",
            PostageText::ChargingBody => {
                "We are waiting for Stamps.com to confirm the charge. Refresh this page in a \
                 moment to see the result, and do not add postage again in the meantime."
            }
            PostageText::RefreshLink => "Refresh",
            PostageText::ChargedTitle => "Postage added",
            PostageText::NewBalance => "New balance",
            PostageText::AddMore => "Add more postage",
            PostageText::DeclinedTitle => "The card was declined",
            PostageText::DeclinedBody => {
                "Stamps.com could not charge the card on your account, so no postage was added. \
                 Update the card on your Stamps.com account, then try again."
            }
            PostageText::NotEnabledTitle => "Adding postage is not set up for this account",
            PostageText::NotEnabledBody => {
                "No postage was added and your card was not charged. Please contact your \
                 platform: adding postage has to be enabled for your Stamps.com account first."
            }
            PostageText::RefusedTitle => "Postage was not added",
            PostageText::RefusedBody => {
                "The charge did not go through, so no postage was added and your card was not \
                 charged. Please try again later."
            }
            PostageText::UnknownTitle => "We could not confirm the charge",
            PostageText::UnknownBody => {
                "We could not confirm whether your card was charged. Do not add postage again \
                 until you have checked your balance."
            }
            PostageText::UnavailableTitle => "Adding postage is not available",
            PostageText::UnavailableBody => {
                "Postage cannot be added here. Please contact your platform to add postage to \
                 your Stamps.com account."
            }
        }
    }

    fn charge_notice(&self, amount: &str) -> String {
        format!("Your card on the Stamps.com account will be charged {amount}.")
    }

    fn postage_added(&self, amount: &str) -> String {
        format!("{amount} was added to your Stamps.com balance.")
    }

    fn amount_range(&self, min: &str, max: &str) -> String {
        format!("From {min} to {max}, like 35 or 35.50")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_as_people_say_them() {
        assert_eq!(Words.wait(1), "1 second");
        assert_eq!(Words.wait(30), "30 seconds");
        assert_eq!(Words.wait(60), "1 minute");
        assert_eq!(Words.wait(61), "2 minutes");
        assert_eq!(Words.wait(3600), "60 minutes");
        assert_eq!(Words.wait(7201), "3 hours");
    }

    #[test]
    fn lengths_and_brands_are_worded_with_their_values() {
        assert_eq!(
            Words.field_problem(FieldProblem::TooLong { max: 100 }),
            "Enter 100 characters or fewer"
        );
        assert_eq!(
            Words.field_problem(FieldProblem::CardNumberWrongLength(CardBrand::Amex)),
            "An American Express card number has 15 digits"
        );
        assert_eq!(Words.card_of_brand(CardBrand::Mastercard), "Mastercard card");
        assert_eq!(
            Words.registered_lede("Main store"),
            "Your Stamps.com account \u{201c}Main store\u{201d} is registered. To finish, we text \
             a code to your phone."
        );
    }

    /// The rules return codes; these are the sentences the pages showed before they did, which
    /// the end-to-end tests read.
    #[test]
    fn the_rules_problems_read_as_before() {
        use crate::fields::card::validate_card_number;
        use crate::fields::email::validate_email;
        use crate::fields::expiry::{YearMonth, validate_expiry};
        use crate::fields::phone::normalize_us_phone;
        use crate::fields::postal::validate_zip;
        use crate::verification::validate_code;

        let say = |problem: FieldProblem| Words.field_problem(problem).into_owned();
        let nov_2026 = YearMonth {
            year: 2026,
            month: 11,
        };
        let cases = [
            (validate_card_number("").err(), "Enter your card number"),
            (
                validate_card_number("4242424242424241").err(),
                "Check your card number: it has a typo",
            ),
            (
                validate_card_number("4242 4242").err(),
                "Your card number is incomplete",
            ),
            (
                validate_card_number("1234567812345678").err(),
                "We accept Visa, Mastercard, American Express and Discover",
            ),
            (
                validate_expiry("7", "2020", nov_2026).err(),
                "Your card has expired",
            ),
            (
                validate_expiry("13", "2030", nov_2026).err(),
                "Enter the expiry month as a number from 1 to 12",
            ),
            (
                validate_email("john").err(),
                "Enter an email address like name@example.com",
            ),
            (normalize_us_phone("").err(), "Enter your phone number"),
            (
                normalize_us_phone("555-0123").err(),
                "Enter a US phone number, like (512) 555-0123",
            ),
            (
                validate_zip("7875").err(),
                "Enter a ZIP code like 78756 or 78756-3717",
            ),
            (
                validate_code("").err(),
                "Enter the code from the text message",
            ),
            (
                validate_code("12a456").err(),
                "The code is made of numbers only",
            ),
            (
                validate_code("123\u{0}456").err(),
                "Remove the hidden or control characters from this field",
            ),
        ];
        for (problem, expected) in cases {
            let problem = problem.unwrap_or_else(|| panic!("{expected}: no problem found"));
            assert_eq!(say(problem), expected, "{problem:?}");
        }
    }

    #[test]
    fn errors_read_as_before() {
        assert_eq!(
            Words.error(&AppError::RateLimited {
                retry_after_secs: 90
            }),
            "Too many attempts. Please try again in 2 minutes."
        );
        assert_eq!(
            Words.error(&AppError::Upstream {
                problem: UpstreamProblem::RegistrationRefused,
                reference: None,
            }),
            "ShipEngine did not open the account with these details. Check them, then send the \
             form again."
        );
        assert!(
            Words
                .error(&AppError::OutcomeUnknown {
                    reference: "r".into()
                })
                .contains("do not enter your card again")
        );
    }
}
